import type { CommonParameters } from "../../description.js";
import { derivePackageName } from "../../parameters.js";
import { pascalCase } from "../../text.js";

export interface JavaParameters extends CommonParameters {
  readonly groupId: string;
  readonly artifactId?: string | undefined;
  readonly packageName?: string | undefined;
  readonly javaVersion: "21" | "25";
}

/** Names derived from the parameters, computed the same way by every Spring contributor. */
export interface JavaProject {
  readonly groupId: string;
  readonly artifactId: string;
  readonly packageName: string;
  /** `src/main/java/com/example/demo` style directory of the package. */
  readonly packagePath: string;
  /** `Demo` for `demo`; the application class is `DemoApplication`. */
  readonly typePrefix: string;
  readonly javaVersion: "21" | "25";
}

export function javaProject(p: JavaParameters): JavaProject {
  const artifactId = p.artifactId ?? p.name;
  const packageName = p.packageName ?? derivePackageName(p.groupId, artifactId);
  return {
    groupId: p.groupId,
    artifactId,
    packageName,
    packagePath: packageName.replaceAll(".", "/"),
    typePrefix: pascalCase(p.name),
    javaVersion: p.javaVersion,
  };
}

/**
 * Spring Boot release the presets target: the newest 3.5.x whose starters the presets use all
 * resolve from Maven Central here (3.5.17 and later: spring-boot-starter-parent not found, Dec 2026).
 * test/spring-maven.test.ts builds and runs both presets against it.
 */
export const SPRING_BOOT_VERSION = "3.5.16";
