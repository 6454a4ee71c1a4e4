/**
 * A WHERE clause built condition by condition, its values as numbered parameters: `add("x = ?",
 * value)` numbers the `?`; an undefined value adds nothing. The first parameter is the tenant.
 */
export function sqlFilter(tenantId: string, ...fixed: string[]) {
  const where = ["tenant_id = $1", ...fixed];
  const params: unknown[] = [tenantId];
  return {
    params,
    add(sql: string, value: unknown): void {
      if (value === undefined) return;
      params.push(value);
      where.push(sql.replace("?", `$${params.length}`));
    },
    /** a condition without a value */
    require(sql: string): void {
      where.push(sql);
    },
    /** the next parameter's placeholder, for LIMIT and OFFSET: `$n` */
    param(value: unknown): string {
      params.push(value);
      return `$${params.length}`;
    },
    get where(): string {
      return where.join(" AND ");
    },
  };
}

/** A LIKE pattern for text starting with `prefix` (its %, _ and \ taken literally; use ESCAPE '\'). */
export const likePrefix = (prefix: string): string => `${prefix.replace(/[\\%_]/g, "\\$&")}%`;
