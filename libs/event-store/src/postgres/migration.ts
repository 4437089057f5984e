/** One step of a schema: applied once, in version order (see runMigrations). */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}
