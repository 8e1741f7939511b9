import type { Pool } from 'pg';

/**
 * Every module that stores something naming a customer contributes one `CustomerDataOwner` under
 * this token (`{ provide: CUSTOMER_DATA, useExisting: ... }`), and the privacy module erases and
 * exports through all of them without importing any: a new table joins erasure and export by its
 * module adding (or extending) its owner, not by editing the privacy module.
 */
export const CUSTOMER_DATA = Symbol('CUSTOMER_DATA');

/** One customer: a PSID is scoped to its Page, so the pair names one person. */
export interface CustomerRef {
  readonly pageId: string;
  readonly userId: string;
}

/** What stands for the customer on rows that stay (survey answers): names nobody. */
export const ERASED_CUSTOMER = 'erased';

/** The customer's id as it appears in stored JSON text (a delivery body, an outbound body). */
export const jsonNeedle = (userId: string): string => JSON.stringify(userId);

/** Rows removed or made anonymous, by table (`messages`, `survey_answers.anonymised`, ...). */
export type ErasedCounts = Record<string, number>;

/**
 * One table's rows about a customer for the export, read in keyset batches: `key` is a unique,
 * ordered expression of type `keyType` over alias `t`, `where` the customer's rows ($1 page id,
 * $2 user id).
 */
export interface ExportSection {
  readonly name: string;
  readonly table: string;
  readonly key: string;
  readonly keyType: 'text' | 'bigint' | 'uuid';
  readonly where: string;
}

export interface CustomerDataOwner {
  /**
   * Lower runs first. The inbox goes first (0), so that no stored event of the customer is handled
   * again after their domain rows are gone.
   */
  readonly erasureOrder: number;
  /**
   * Removes (or makes anonymous) everything this module keeps about `customer`, idempotently: run
   * again it finds nothing left and counts nothing. Short transactions only (the embedded database
   * has one connection): the intake must never wait long behind an erasure.
   */
  erase(pool: Pool, customer: CustomerRef): Promise<ErasedCounts>;
  /** What the export shows of this module. */
  readonly exportSections: readonly ExportSection[];
}
