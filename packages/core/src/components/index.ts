import type { AnyComponent } from "../render/component.js";
import { argocd } from "./argocd/index.js";
import { backstage } from "./backstage/index.js";
import { backups } from "./backups/index.js";
import { certManager } from "./cert-manager/index.js";
import { cloudflare } from "./cloudflare/index.js";
import { dynamicDb } from "./dynamic-db/index.js";
import { externalSecrets } from "./external-secrets/index.js";
import { gateway } from "./gateway/index.js";
import { identity } from "./identity/index.js";
import { istio } from "./istio/index.js";
import { observability } from "./observability/index.js";
import { otel } from "./otel/index.js";
import { postgres } from "./postgres/index.js";
import { reloader } from "./reloader/index.js";
import { scaffold } from "./scaffold/index.js";
import { services } from "./services/index.js";
import { storage } from "./storage/index.js";
import { vault } from "./vault/index.js";

/**
 * Every component, in one explicit list. Order here is only the tie-break for the dependency
 * graph; dependencies decide the sync order. Adding a component: docs/guides/adding-a-component.md.
 */
export const components: readonly AnyComponent[] = [
  argocd,
  storage,
  vault,
  externalSecrets,
  gateway,
  cloudflare,
  postgres,
  observability,
  identity,
  certManager,
  otel,
  istio,
  dynamicDb,
  reloader,
  scaffold,
  backstage,
  services,
  backups,
];
