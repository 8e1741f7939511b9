import { Controller, Get, Query, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ErrorResponseDto } from '../../common/error-response.dto';
import { parseRange } from '../../common/instant';
import { AnswerExportService } from './answer-export.service';
import { AnswersExportQuery, EXPORT_COLUMNS } from './dto/export.dto';

@ApiTags('exports')
@ApiBearerAuth()
@Controller('api/exports')
export class ExportsController {
  constructor(private readonly exports: AnswerExportService) {}

  @Get('answers')
  @ApiOperation({
    summary: 'Every answer as a CSV or NDJSON download, streamed',
    description:
      `Answers (valid or not) with from ≤ submittedAt < to, in the order they were recorded, one per CSV row or NDJSON line: ${EXPORT_COLUMNS.join(', ')}. ` +
      "CSV: RFC 4180, UTF-8 with a byte order mark, CRLF, a header row; a cell starting with = + - @, tab or CR is prefixed with ' (spreadsheet formula injection). " +
      'Errors before the first byte are ordinary 4xx / 503 answers; an error after it ends the body early (logged).',
  })
  @ApiProduces('text/csv', 'application/x-ndjson')
  @ApiOkResponse({
    description: 'the file, streamed (chunked)',
    schema: { type: 'string' },
    headers: {
      'Content-Disposition': {
        description: 'attachment; filename="answers-<from>-<to>.csv" (or .ndjson)',
        schema: { type: 'string' },
      },
    },
  })
  @ApiBadRequestResponse({
    type: ErrorResponseDto,
    description: 'VALIDATION_FAILED: a bad format, type, from or to (named), or from after to',
  })
  @ApiUnauthorizedResponse({ type: ErrorResponseDto, description: 'UNAUTHORIZED: no valid token' })
  async answers(@Query() query: AnswersExportQuery, @Res() reply: FastifyReply): Promise<void> {
    const range = parseRange(query);
    const { body, contentType, filename } = await this.exports.open(
      query.format,
      { type: query.type, pageId: query.pageId },
      range,
    );
    void reply
      .header('content-type', contentType)
      .header('content-disposition', `attachment; filename="${filename}"`)
      .header('cache-control', 'no-store')
      // A download is a one-off: its connection closes with it instead of idling in keep-alive
      // (a graceful shutdown would otherwise wait for it).
      .header('connection', 'close')
      .send(body);
  }
}
