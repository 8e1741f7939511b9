import { Module } from '@nestjs/common';
import { CustomerDataRegistry } from './customer-data.registry';
import { CustomerExport } from './customer-export.service';
import { CustomersController } from './customers.controller';
import { ErasureRepository } from './erasure.repository';
import { ErasureRequests } from './erasure-requests.service';
import { ErasureWorker } from './erasure-worker.service';
import { RetentionRepository } from './retention.repository';
import { RetentionSweeper } from './retention-sweeper.service';

/**
 * Privacy and retention: erasure and export of one customer through every module's
 * CustomerDataOwner (src/common/customer-data.ts), and the retention job.
 */
@Module({
  controllers: [CustomersController],
  providers: [
    CustomerDataRegistry,
    CustomerExport,
    ErasureRepository,
    ErasureRequests,
    ErasureWorker,
    RetentionRepository,
    RetentionSweeper,
  ],
})
export class PrivacyModule {}
