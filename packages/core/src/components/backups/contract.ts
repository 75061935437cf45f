// The backups component's public module (docs/adr/0016-module-boundaries.md).
/** Label of a backup CronJob naming the namespace whose state it saves (`check`'s `stateful-backup` reads it). */
export const BACKUP_OF_LABEL = "slipway.dev/backup-of";
