import { Injectable, Logger } from '@nestjs/common';
import { PassThrough, pipeline, Readable } from 'node:stream';
import type { InstantRange } from '../../common/instant';
import { AppConfig } from '../../config/app-config';
import { AnswerExportRepository, type ExportFilter } from './answer-export.repository';
import { EXPORT_COLUMNS, type ExportFormat } from './dto/export.dto';

export interface OpenedExport {
  body: Readable;
  contentType: string;
  filename: string;
}

const CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  ndjson: 'application/x-ndjson; charset=utf-8',
};

/**
 * What a CSV file starts with: the byte order mark that tells Excel the file is UTF-8 (emoji,
 * accents), then the header record.
 */
const CSV_HEAD = `\ufeff${EXPORT_COLUMNS.join(',')}\r\n`;

/**
 * A bound of the file name: the UTC date (`20261101`) at midnight, else date and time
 * (`20261101T093000Z`); no colon, which some systems refuse in file names.
 */
function fileNamePart(bound: Date | null, open: string): string {
  if (bound === null) return open;
  const iso = bound.toISOString();
  const day = iso.slice(0, 10).replaceAll('-', '');
  if (iso.endsWith('T00:00:00.000Z')) return day;
  return `${day}T${iso.slice(11, 19).replaceAll(':', '')}Z`;
}

export function exportFileName(range: InstantRange, format: ExportFormat): string {
  return `answers-${fileNamePart(range.from, 'start')}-${fileNamePart(range.to, 'now')}.${format}`;
}

/**
 * GET /api/exports/answers: the answers as CSV (RFC 4180) or NDJSON, streamed with backpressure
 * from the repository's chunks (whole records, written by PostgreSQL) to the HTTP reply, so memory
 * stays flat whatever the number of answers. The first chunk is read before anything is sent: a
 * database that does not answer is still a plain 503. Past that point an error can only end the
 * stream early (the client sees a truncated body, the log says why).
 */
@Injectable()
export class AnswerExportService {
  private readonly logger = new Logger(AnswerExportService.name);

  constructor(
    private readonly answers: AnswerExportRepository,
    private readonly config: AppConfig,
  ) {}

  async open(
    format: ExportFormat,
    filter: ExportFilter,
    range: InstantRange,
  ): Promise<OpenedExport> {
    const chunks = this.answers.answers(
      { format, publicUrl: this.config.publicUrl },
      filter,
      range,
    );
    const first = await chunks.next();
    async function* file(): AsyncGenerator<string | Buffer> {
      if (format === 'csv') yield CSV_HEAD;
      if (first.done) return;
      yield first.value;
      // Leaving this loop early (the client went away) returns `chunks`, which frees its connection.
      yield* chunks;
    }
    return {
      body: this.pipe(Readable.from(file(), { objectMode: false }), new PassThrough()),
      contentType: CONTENT_TYPES[format],
      filename: exportFileName(range, format),
    };
  }

  /** source → sink with backpressure; an error anywhere ends both and is logged once. */
  private pipe(source: Readable, sink: NodeJS.ReadWriteStream & Readable): Readable {
    return pipeline(source, sink, (error) => {
      if (!error) return;
      if (error.code === 'ERR_STREAM_PREMATURE_CLOSE') {
        this.logger.log('answer export ended early: the client went away');
      } else {
        this.logger.error(`answer export ended early: ${error.message}`);
      }
    });
  }
}
