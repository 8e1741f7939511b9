import { HttpStatus, Injectable } from '@nestjs/common';
import { AppError } from '../common/app-error';
import { decodeCursor, Page, toPage } from '../common/pagination';
import type { ListSurveysQuery, SurveyDetailDto } from './dto/survey.dto';
import { SurveyRepository } from './survey.repository';
import { toSurveyDetailDto } from './survey-view';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

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
    const key = decodeCursor(query.cursor, 2);
    const after = key === null ? null : readKey(key);
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
      (row) => [row.sentAt.toISOString(), row.id],
    );
  }
}

function readKey([sentAt, id]: (string | number | null)[]): { sentAt: string; id: string } {
  if (
    typeof sentAt !== 'string' ||
    Number.isNaN(Date.parse(sentAt)) ||
    typeof id !== 'string' ||
    !UUID.test(id)
  ) {
    throw new AppError(HttpStatus.BAD_REQUEST, 'INVALID_CURSOR', 'cursor is not valid');
  }
  return { sentAt, id };
}
