import { Injectable } from '@nestjs/common';
import { AppError } from '../common/app-error';
import { CursorCodec } from '../common/cursor';
import { Page, toPage } from '../common/pagination';
import type { ListSurveysQuery, SurveyDetailDto } from './dto/survey.dto';
import { SurveyRepository } from './survey.repository';
import { toSurveyDetailDto } from './survey-view';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Surveys, newest first: (sentAt, survey id). */
const SURVEY_CURSOR = new CursorCodec(['instant', 'uuid']);

/** Reading surveys: GET /api/surveys and GET /api/surveys/{id}. */
@Injectable()
export class SurveysService {
  constructor(private readonly surveys: SurveyRepository) {}

  async get(id: string): Promise<SurveyDetailDto> {
    const row = UUID.test(id) ? await this.surveys.findById(id) : null;
    if (row === null) throw AppError.notFound(`survey ${id}`);
    return toSurveyDetailDto(row, new Date());
  }

  async list(query: ListSurveysQuery): Promise<Page<SurveyDetailDto>> {
    const position = SURVEY_CURSOR.decode(query.cursor);
    const after = position && { sentAt: position[0].toISOString(), id: position[1] };
    const now = new Date();
    const { pageId, recipientId, type, status, limit } = query;
    const rows = await this.surveys.list(
      { pageId, recipientId, type, status },
      now,
      limit + 1,
      after,
    );
    return toPage(
      rows,
      limit,
      (row) => toSurveyDetailDto(row, now),
      (row) => SURVEY_CURSOR.encode([row.sentAt, row.id]),
    );
  }
}
