import { BACKUP_OF_LABEL } from "../../components/backups/contract.js";
import { isRecord } from "../input.js";
import { definePolicy, objectFinding } from "../policy.js";
import { statefulNamespaces } from "./stateful.js";

/**
 * H4: every namespace that holds state is backed up: some CronJob, not suspended, carries the
 * label `slipway.dev/backup-of: <namespace>` (the `backups` component renders Vault's raft
 * snapshot and PostgreSQL's pg_dump so).
 */
export const statefulBackup = definePolicy({
  id: "stateful-backup",
  description: "Every namespace that holds state has a backup CronJob (label slipway.dev/backup-of)",
  chartOutput: true,
  *check(input) {
    const backedUp = new Set<string>();
    for (const o of input.objects) {
      if (o.object.kind !== "CronJob") continue;
      const of = o.object.metadata.labels?.[BACKUP_OF_LABEL];
      const spec = o.object.spec;
      if (of === undefined || (isRecord(spec) && spec.suspend === true)) continue;
      backedUp.add(of);
    }
    for (const s of statefulNamespaces(input).values()) {
      if (backedUp.has(s.name)) continue;
      yield objectFinding(
        this.id,
        s.namespace ?? s.evidence,
        s.namespace ? ["metadata", "name"] : ["metadata"],
        `namespace ${s.name} holds state (${s.reason}) and nothing backs it up`,
        `Enable spec.components.backups (Vault raft snapshots, pg_dump), or render a CronJob labelled ${BACKUP_OF_LABEL}: ${s.name} that saves it.`,
      );
    }
  },
});
