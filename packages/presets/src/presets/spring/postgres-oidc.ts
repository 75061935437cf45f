import { z } from "zod";
import { commonContributors } from "../../common/contributors.js";
import { commonShape, javaShape } from "../../parameters.js";
import { definePreset } from "../../preset.js";
import { springContributors } from "./feature.js";
import { ambientMesh, oidcLogin, otel, postgres, postgresOidcStartupTest, web } from "./features.js";
import { checkDerivedPackage } from "./validate.js";

export const springBootPostgresOidc = definePreset({
  id: "spring-boot-postgres-oidc",
  name: "Spring Boot + PostgreSQL + OIDC",
  description:
    "Spring Boot web app with JPA, Flyway migrations on PostgreSQL, and login through the platform's OIDC issuer.",
  version: "1.0.0",
  componentType: "service",
  parameters: z.strictObject({ ...commonShape, ...javaShape }).superRefine(checkDerivedPackage),
  contributors: [
    ...springContributors([web, postgres, oidcLogin, postgresOidcStartupTest, otel, ambientMesh]),
    ...commonContributors("service"),
  ],
});
