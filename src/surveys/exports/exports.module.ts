import { Module } from '@nestjs/common';
import { AnswerExportRepository } from './answer-export.repository';
import { AnswerExportService } from './answer-export.service';
import { ExportsController } from './exports.controller';

/** Downloads of the recorded answers (GET /api/exports/answers). Reads only. */
@Module({
  controllers: [ExportsController],
  providers: [AnswerExportRepository, AnswerExportService],
})
export class ExportsModule {}
