import { get_dmmf } from '@prisma/prisma-schema-wasm';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Pool } from 'pg';

/**
 * The database structure both sides must agree on, as sorted lines: one per enum, column, index,
 * primary key and foreign key. One side comes from schema.prisma (through Prisma's own schema
 * parser), the other from the migrated database's catalog.
 */

interface DmmfField {
  name: string;
  dbName?: string | null;
  kind: 'scalar' | 'object' | 'enum' | 'unsupported';
  type: string;
  isRequired: boolean;
  isList: boolean;
  isId: boolean;
  isUnique: boolean;
  hasDefaultValue: boolean;
  default?: unknown;
  nativeType?: [string, string[]] | null;
  relationFromFields?: string[];
  relationToFields?: string[];
  relationOnDelete?: string;
}
interface DmmfModel {
  name: string;
  dbName: string | null;
  fields: DmmfField[];
  primaryKey: { name: string | null; fields: string[] } | null;
}
interface DmmfIndex {
  model: string;
  type: 'id' | 'unique' | 'normal' | 'fulltext';
  dbName?: string | null;
  fields: { name: string; sortOrder?: 'asc' | 'desc' }[];
}
interface Dmmf {
  datamodel: {
    models: DmmfModel[];
    enums: { name: string; values: { name: string }[] }[];
    indexes: DmmfIndex[];
  };
}

const SCALAR_TYPES: Record<string, string> = {
  String: 'text',
  Int: 'integer',
  BigInt: 'bigint',
  Boolean: 'boolean',
  DateTime: 'timestamp(3) without time zone',
  Json: 'jsonb',
  Float: 'double precision',
  Decimal: 'numeric(65,30)',
  Bytes: 'bytea',
};
const NATIVE_TYPES: Record<string, (args: string[]) => string> = {
  Char: ([n]) => `character(${n})`,
  VarChar: ([n]) => (n ? `character varying(${n})` : 'character varying'),
  Timestamptz: ([p]) => `timestamp(${p ?? 6}) with time zone`,
  Timestamp: ([p]) => `timestamp(${p ?? 6}) without time zone`,
  Date: () => 'date',
  Uuid: () => 'uuid',
  Text: () => 'text',
};

function columnType(field: DmmfField): string {
  if (field.kind === 'enum') return `"${field.type}"`;
  if (field.nativeType) return NATIVE_TYPES[field.nativeType[0]](field.nativeType[1]);
  return SCALAR_TYPES[field.type];
}

function columnDefault(field: DmmfField): string {
  const value = field.default as
    { name?: string; args?: unknown[] } | string | number | boolean | undefined;
  if (value === undefined) return 'none';
  if (typeof value === 'object' && value.name === 'autoincrement') return 'nextval';
  if (typeof value === 'object' && value.name === 'now') return 'CURRENT_TIMESTAMP';
  if (typeof value === 'object' && value.name === 'dbgenerated') return String(value.args?.[0]);
  const literal = typeof value === 'object' ? JSON.stringify(value) : String(value);
  if (field.kind === 'enum') return `'${literal}'::"${field.type}"`;
  if (field.type === 'Json' || field.type === 'String')
    return `'${literal}'${field.type === 'Json' ? '::jsonb' : '::text'}`;
  return literal;
}

export function schemaStructure(
  schemaPath = join(__dirname, '..', 'prisma', 'schema.prisma'),
): string[] {
  const dmmf = JSON.parse(
    get_dmmf(
      JSON.stringify({ prismaSchema: [['schema.prisma', readFileSync(schemaPath, 'utf8')]] }),
    ),
  ) as Dmmf;
  const lines: string[] = [];
  const tableOf = new Map(dmmf.datamodel.models.map((m) => [m.name, m.dbName ?? m.name]));
  const columnOf = (model: DmmfModel, name: string): string => {
    const field = model.fields.find((f) => f.name === name) as DmmfField;
    return field.dbName ?? field.name;
  };
  for (const e of dmmf.datamodel.enums)
    lines.push(`enum ${e.name} (${e.values.map((v) => v.name).join(',')})`);
  for (const model of dmmf.datamodel.models) {
    const table = tableOf.get(model.name) as string;
    for (const field of model.fields) {
      if (field.kind === 'object') {
        if (field.relationFromFields && field.relationFromFields.length > 0) {
          const target = dmmf.datamodel.models.find((m) => m.name === field.type) as DmmfModel;
          const from = field.relationFromFields.map((f) => columnOf(model, f));
          const to = (field.relationToFields ?? []).map((f) => columnOf(target, f));
          const onDelete = (field.relationOnDelete ?? (field.isRequired ? 'Restrict' : 'SetNull'))
            .replace(/([a-z])([A-Z])/g, '$1 $2')
            .toUpperCase();
          lines.push(
            `fk ${table}_${from.join('_')}_fkey ${table}(${from.join(',')}) -> ${tableOf.get(target.name)}(${to.join(',')}) on delete ${onDelete}`,
          );
        }
        continue;
      }
      const column = field.dbName ?? field.name;
      lines.push(
        `column ${table}.${column} ${columnType(field)} ${field.isRequired ? 'not null' : 'null'} default ${columnDefault(field)}`,
      );
    }
  }
  for (const index of dmmf.datamodel.indexes) {
    const model = dmmf.datamodel.models.find((m) => m.name === index.model) as DmmfModel;
    const table = tableOf.get(model.name) as string;
    const columns = index.fields.map((f) => columnOf(model, f.name));
    const described = index.fields
      .map((f) => `${columnOf(model, f.name)}${f.sortOrder === 'desc' ? ' desc' : ''}`)
      .join(', ');
    if (index.type === 'id') {
      lines.push(`index ${table}_pkey primary (${described})`);
    } else {
      const suffix = index.type === 'unique' ? 'key' : 'idx';
      const name = index.dbName ?? `${table}_${columns.join('_')}_${suffix}`;
      lines.push(`index ${name} ${index.type === 'unique' ? 'unique' : 'normal'} (${described})`);
    }
  }
  return lines.sort();
}

export async function databaseStructure(pool: Pool): Promise<string[]> {
  const lines: string[] = [];
  const enums = await pool.query<{ name: string; values: string }>(
    `SELECT t.typname AS name, string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) AS values
     FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace
     WHERE n.nspname = 'public' GROUP BY t.typname`,
  );
  for (const e of enums.rows) lines.push(`enum ${e.name} (${e.values})`);
  const columns = await pool.query<{
    table: string;
    column: string;
    type: string;
    notnull: boolean;
    default: string | null;
  }>(
    `SELECT c.relname AS table, a.attname AS column, format_type(a.atttypid, a.atttypmod) AS type,
            a.attnotnull AS notnull, pg_get_expr(d.adbin, d.adrelid) AS default
     FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
     LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
     WHERE n.nspname = 'public' AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
       AND c.relname <> '_prisma_migrations'`,
  );
  for (const c of columns.rows) {
    const type = /^[A-Z]/.test(c.type) && !c.type.startsWith('"') ? `"${c.type}"` : c.type;
    const def =
      c.default === null ? 'none' : c.default.startsWith('nextval(') ? 'nextval' : c.default;
    lines.push(
      `column ${c.table}.${c.column} ${type} ${c.notnull ? 'not null' : 'null'} default ${def}`,
    );
  }
  const indexes = await pool.query<{
    name: string;
    table: string;
    primary: boolean;
    unique: boolean;
    columns: string;
  }>(
    `SELECT i.relname AS name, t.relname AS table, x.indisprimary AS primary, x.indisunique AS unique,
            (SELECT string_agg(a.attname || CASE WHEN (x.indoption[k.i - 1] & 1) = 1 THEN ' desc' ELSE '' END, ', ' ORDER BY k.i)
             FROM unnest(x.indkey) WITH ORDINALITY AS k(attnum, i)
             JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum) AS columns
     FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
     JOIN pg_namespace n ON n.oid = t.relnamespace
     WHERE n.nspname = 'public' AND t.relname <> '_prisma_migrations'`,
  );
  for (const i of indexes.rows) {
    lines.push(
      i.primary
        ? `index ${i.name} primary (${i.columns})`
        : `index ${i.name} ${i.unique ? 'unique' : 'normal'} (${i.columns})`,
    );
  }
  const fks = await pool.query<{
    name: string;
    table: string;
    from: string;
    target: string;
    to: string;
    ondelete: string;
  }>(
    `SELECT con.conname AS name, t.relname AS table, r.relname AS target,
            (SELECT string_agg(a.attname, ',' ORDER BY k.i) FROM unnest(con.conkey) WITH ORDINALITY AS k(n, i)
             JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n) AS from,
            (SELECT string_agg(a.attname, ',' ORDER BY k.i) FROM unnest(con.confkey) WITH ORDINALITY AS k(n, i)
             JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n) AS to,
            CASE con.confdeltype WHEN 'a' THEN 'NO ACTION' WHEN 'r' THEN 'RESTRICT' WHEN 'c' THEN 'CASCADE'
                                 WHEN 'n' THEN 'SET NULL' WHEN 'd' THEN 'SET DEFAULT' END AS ondelete
     FROM pg_constraint con JOIN pg_class t ON t.oid = con.conrelid JOIN pg_class r ON r.oid = con.confrelid
     JOIN pg_namespace n ON n.oid = t.relnamespace
     WHERE con.contype = 'f' AND n.nspname = 'public'`,
  );
  for (const f of fks.rows)
    lines.push(
      `fk ${f.name} ${f.table}(${f.from}) -> ${f.target}(${f.to}) on delete ${f.ondelete}`,
    );
  return lines.sort();
}
