import { Module } from '@nestjs/common';
import { ScoresController } from './scores.controller';
import { ScoresRepository } from './scores.repository';
import { ScoresService } from './scores.service';

/**
 * CSAT / NPS / CES scores, trends and comments: reads of the answers and surveys and of the daily
 * rollups kept where they are written. Nothing here sends or records anything.
 */
@Module({
  controllers: [ScoresController],
  providers: [ScoresRepository, ScoresService],
})
export class ScoresModule {}
