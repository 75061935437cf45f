import { afterAll, beforeAll, expect, describe as group, it } from "vitest";
import { findPostgresBinDir, startPostgres, type TestPostgres } from "../../core/test/helpers/postgres.js";
import { fileOf, generateSample } from "./helpers/project.js";

/*
 * The Flyway V1 migration of spring-boot-postgres-oidc, run on a real PostgreSQL (Debian's
 * `postgresql`, the same throwaway server core's tests use), followed by the statements the Note
 * entity and repository imply. Flyway itself needs Maven Central; the SQL does not.
 */
group.skipIf(process.env.SLIPWAY_SKIP_POSTGRES === "1")(
  "spring-boot-postgres-oidc migration on PostgreSQL",
  () => {
    let pg: TestPostgres;
    const migration = fileOf(
      generateSample("spring-boot-postgres-oidc", { name: "notes", owner: "o" }),
      "src/main/resources/db/migration/V1__create_note.sql",
    );

    beforeAll(async () => {
      expect(
        findPostgresBinDir(),
        "PostgreSQL server binaries (apt-get install -y postgresql)",
      ).toBeDefined();
      pg = await startPostgres();
    });
    afterAll(() => pg?.stop());

    it("applies, and the table accepts what the entity writes and refuses empty notes", () => {
      const apply = pg.psql(["-v", "ON_ERROR_STOP=1"], { input: migration });
      expect(apply.status, apply.stderr).toBe(0);
      const insert = pg.psql([
        "-v",
        "ON_ERROR_STOP=1",
        "-tAc",
        "insert into note (author, text) values ('42', 'hello') returning id, created_at is not null",
      ]);
      expect(insert.status, insert.stderr).toBe(0);
      expect(insert.stdout.trim().split("\n")[0]).toBe("1|t");
      const columns = pg.psql([
        "-tAc",
        "select column_name || ':' || data_type from information_schema.columns where table_name = 'note' order by ordinal_position",
      ]);
      expect(columns.stdout.trim().split("\n")).toEqual([
        "id:bigint",
        "author:character varying",
        "text:character varying",
        "created_at:timestamp with time zone",
      ]);
      expect(
        pg.psql(["-v", "ON_ERROR_STOP=1", "-c", "insert into note (author, text) values ('42', '')"]).status,
      ).not.toBe(0);
    });
  },
);
