import { Global, Module } from '@nestjs/common';
import { HANDLER_OBSERVER } from '../events/handler-observer';
import { Metrics } from './metrics';
import { MetricsController } from './metrics.controller';

/** `GET /metrics` and the Metrics every module records to (global: any module may count). */
@Global()
@Module({
  controllers: [MetricsController],
  providers: [Metrics, { provide: HANDLER_OBSERVER, useExisting: Metrics }],
  exports: [Metrics, HANDLER_OBSERVER],
})
export class MetricsModule {}
