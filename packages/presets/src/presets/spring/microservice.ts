import { z } from "zod";
import { commonContributors } from "../../common/contributors.js";
import { commonShape, javaShape } from "../../parameters.js";
import { definePreset } from "../../preset.js";
import { springContributors } from "./feature.js";
import { ambientMesh, greeting, otel, web } from "./features.js";
import { checkDerivedPackage } from "./validate.js";

export const springBootMicroservice = definePreset({
  id: "spring-boot-microservice",
  name: "Spring Boot microservice",
  description:
    "Spring Boot web service without a database: actuator probes, ready for ambient mTLS and OTel.",
  version: "1.0.0",
  componentType: "service",
  parameters: z.strictObject({ ...commonShape, ...javaShape }).superRefine(checkDerivedPackage),
  contributors: [...springContributors([web, greeting, otel, ambientMesh]), ...commonContributors("service")],
});
