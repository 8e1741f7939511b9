import { Controller, Delete, Get, HttpCode, Param, StreamableFile } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import { Clock } from '../common/clock';
import { CustomerExport } from './customer-export.service';
import { CustomerParams, ErasureAcceptedDto, ErasureDto } from './dto/privacy.dto';
import { ErasureRequests } from './erasure-requests.service';

const BAD_CUSTOMER = 'pageId or userId is not one path segment, or too long';

@ApiTags('privacy')
@ApiBearerAuth()
@Controller('api')
export class CustomersController {
  constructor(
    private readonly erasures: ErasureRequests,
    private readonly exports: CustomerExport,
    private readonly clock: Clock,
  ) {}

  @Delete('customers/:pageId/:userId')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Erase everything that names one customer',
    description:
      'Starts (or, while one runs, returns) a durable erasure job. Scores, rollups and counts stay ' +
      'as they were: survey answers remain, without the customer.',
  })
  @ApiAcceptedResponse({ type: ErasureAcceptedDto })
  @ApiBadRequestResponse({ description: BAD_CUSTOMER })
  erase(@Param() params: CustomerParams): Promise<ErasureAcceptedDto> {
    return this.erasures.request({ pageId: params.pageId, userId: params.userId });
  }

  @Get('customers/:pageId/:userId/export')
  @ApiOperation({
    summary: 'Everything kept about one customer, as one JSON document',
    description:
      'A data-subject access request: one array per table of the rows about the customer, as ' +
      'stored (column names as in the database), streamed.',
  })
  @ApiProduces('application/json')
  @ApiOkResponse({
    description: 'the document',
    schema: {
      type: 'object',
      required: ['pageId', 'userId', 'exportedAt'],
      properties: {
        pageId: { type: 'string' },
        userId: { type: 'string' },
        exportedAt: { type: 'string', format: 'date-time' },
      },
      additionalProperties: { type: 'array', items: { type: 'object' } },
    },
  })
  @ApiBadRequestResponse({ description: BAD_CUSTOMER })
  export(@Param() params: CustomerParams): StreamableFile {
    const stream = this.exports.stream(
      { pageId: params.pageId, userId: params.userId },
      this.clock.now(),
    );
    return new StreamableFile(stream, { type: 'application/json; charset=utf-8' });
  }

  @Get('erasures/:id')
  @ApiOperation({ summary: 'An erasure: running or done, and what it removed' })
  @ApiOkResponse({ type: ErasureDto })
  @ApiNotFoundResponse({ description: 'no erasure has this id' })
  erasure(@Param('id') id: string): Promise<ErasureDto> {
    return this.erasures.get(id);
  }
}
