/**
 * The shell scripts the backup CronJobs run, as constants: the CronJobs carry them verbatim and
 * the tests run these same strings against a real Vault (raft storage) and a real PostgreSQL.
 * Both write into `$BACKUP_DIR` under a UTC timestamp, first as `<name>.partial` then renamed, so
 * a run that dies midway never looks like a backup; both keep the newest `$KEEP` backups.
 */

/**
 * Vault: log in with the pod's service account token (audience `vault`) through the Kubernetes
 * auth role `$VAULT_ROLE`, whose policy allows only `read` on `sys/storage/raft/snapshot`, and
 * save a raft snapshot. Runs in the `hashicorp/vault` image (busybox sh).
 */
export const VAULT_SNAPSHOT_SCRIPT = `set -eu
rm -f "$BACKUP_DIR"/vault-*.snap.partial
VAULT_TOKEN="$(vault write -field=token "auth/$VAULT_AUTH_PATH/login" role="$VAULT_ROLE" jwt=@"$VAULT_JWT_FILE")"
export VAULT_TOKEN
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
vault operator raft snapshot save "$BACKUP_DIR/vault-$stamp.snap.partial"
mv "$BACKUP_DIR/vault-$stamp.snap.partial" "$BACKUP_DIR/vault-$stamp.snap"
ls -1 "$BACKUP_DIR" | grep -E '^vault-[0-9TZ]+\\.snap$' | sort -r | tail -n +"$((KEEP + 1))" | while read -r old; do rm -f -- "$BACKUP_DIR/$old"; done
echo "saved $BACKUP_DIR/vault-$stamp.snap"
`;

/**
 * PostgreSQL: roles (with their password hashes) as SQL, then every database that accepts
 * connections in pg_dump's custom format (restored with pg_restore, one database at a time).
 * Runs in the \`postgres\` image (dash: no pipefail, so the database list is read before the loop).
 */
export const POSTGRES_DUMP_SCRIPT = `set -eu
rm -rf "$BACKUP_DIR"/postgres-*.partial
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
dir="$BACKUP_DIR/postgres-$stamp"
if [ -e "$dir" ]; then echo "$dir already exists" >&2; exit 1; fi
mkdir "$dir.partial"
pg_dumpall --globals-only --file="$dir.partial/globals.sql"
databases="$(psql --no-psqlrc -At -c "SELECT datname FROM pg_database WHERE datallowconn AND NOT datistemplate ORDER BY 1")"
for db in $databases; do
  pg_dump --format=custom --file="$dir.partial/$db.dump" --dbname="$db"
done
mv "$dir.partial" "$dir"
ls -1 "$BACKUP_DIR" | grep -E '^postgres-[0-9TZ]+$' | sort -r | tail -n +"$((KEEP + 1))" | while read -r old; do rm -rf -- "$BACKUP_DIR/$old"; done
echo "saved $dir"
`;
