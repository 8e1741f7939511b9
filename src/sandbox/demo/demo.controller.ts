import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { DemoStatusDto, StartDemoDto } from '../dto/demo.dto';
import { DemoStatus, DemoWriter } from './demo-writer.service';

@ApiTags('sandbox')
@ApiBearerAuth()
@Controller('api/sandbox/demo')
export class DemoController {
  constructor(private readonly writer: DemoWriter) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({
    summary: 'Write a realistic, back-dated history into the sandbox Page',
    description:
      'Runs in the background; follow it with GET /api/sandbox/demo. It is done once the service has handled every event written.',
  })
  @ApiAcceptedResponse({ type: DemoStatusDto })
  @ApiBadRequestResponse({ description: 'VALIDATION_FAILED: days, customers or seed out of range' })
  @ApiConflictResponse({ description: 'DEMO_RUNNING: one run at a time' })
  start(@Body() body: StartDemoDto): DemoStatus {
    return this.writer.start(DemoWriter.request(body ?? {}));
  }

  @Get()
  @ApiOperation({ summary: 'How the demo history is coming along' })
  @ApiOkResponse({ type: DemoStatusDto })
  status(): DemoStatus {
    return this.writer.status;
  }
}
