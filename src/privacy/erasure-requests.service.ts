import { Injectable } from '@nestjs/common';
import { createHmac } from 'node:crypto';
import { AppError } from '../common/app-error';
import type { CustomerRef } from '../common/customer-data';
import { AppConfig } from '../config/app-config';
import type { ErasureAcceptedDto, ErasureDto } from './dto/privacy.dto';
import { ErasureRepository, type ErasureRow } from './erasure.repository';
import { ErasureWorker } from './erasure-worker.service';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Requests and reads erasures; the worker does them. */
@Injectable()
export class ErasureRequests {
  private readonly hashKey: Buffer;

  constructor(
    private readonly erasures: ErasureRepository,
    private readonly worker: ErasureWorker,
    config: AppConfig,
  ) {
    // A key of its own, derived from the app secret: the hash is useless without the server.
    this.hashKey = createHmac('sha256', config.appSecret).update('customer-erasure').digest();
  }

  /** The keyed hash the erasure record keeps instead of the customer's id. */
  subjectHash(customer: CustomerRef): string {
    return createHmac('sha256', this.hashKey)
      .update(`${customer.pageId}\n${customer.userId}`)
      .digest('hex');
  }

  async request(customer: CustomerRef): Promise<ErasureAcceptedDto> {
    const row = await this.erasures.request(
      customer.pageId,
      customer.userId,
      this.subjectHash(customer),
    );
    this.worker.wake();
    return { id: row.id, status: row.status };
  }

  async get(id: string): Promise<ErasureDto> {
    const row = UUID.test(id) ? await this.erasures.find(id) : null;
    if (!row) throw AppError.notFound(`erasure ${id}`);
    return toDto(row);
  }
}

const toDto = (row: ErasureRow): ErasureDto => ({
  id: row.id,
  pageId: row.pageId,
  status: row.status,
  erased: row.erased,
  requestedAt: row.requestedAt.toISOString(),
  doneAt: row.doneAt?.toISOString() ?? null,
});
