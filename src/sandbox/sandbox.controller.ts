import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { AppError } from '../common/app-error';
import {
  AcceptedEventDto,
  AcceptedMessageDto,
  AnsweredSurveyDto,
  CustomerFeedbackDto,
  CustomerMessageDto,
  CustomerParams,
  CustomerReactionDto,
  CustomerResponseFeedbackDto,
  GraphFailuresAcceptedDto,
  GraphFailuresDto,
  InboxDto,
} from './dto/sandbox.dto';
import { GraphSimulator, MAX_PENDING_FAILURES } from './graph-simulator';
import { SandboxCustomers } from './sandbox-customers.service';

const BAD_INPUT = 'VALIDATION_FAILED: every failing field is named; nothing is delivered';

@ApiTags('sandbox')
@ApiBearerAuth()
@Controller('api/sandbox')
export class SandboxController {
  constructor(
    private readonly customers: SandboxCustomers,
    private readonly graph: GraphSimulator,
  ) {}

  @Post('customers/:psid/messages')
  @HttpCode(202)
  @ApiOperation({
    summary: 'A simulated customer writes to the sandbox Page',
    description:
      'Delivered as a signed `messages` webhook event through POST /webhook; answered once it is stored.',
  })
  @ApiAcceptedResponse({ type: AcceptedMessageDto })
  @ApiBadRequestResponse({ description: BAD_INPUT })
  write(
    @Param() { psid }: CustomerParams,
    @Body() body: CustomerMessageDto,
  ): Promise<AcceptedMessageDto> {
    return this.customers.write(psid, body);
  }

  @Post('customers/:psid/reactions')
  @HttpCode(202)
  @ApiOperation({ summary: 'A simulated customer reacts to a message (or takes it back)' })
  @ApiAcceptedResponse({ type: AcceptedEventDto })
  @ApiBadRequestResponse({ description: BAD_INPUT })
  react(
    @Param() { psid }: CustomerParams,
    @Body() body: CustomerReactionDto,
  ): Promise<AcceptedEventDto> {
    return this.customers.react(psid, body);
  }

  @Post('customers/:psid/feedback')
  @HttpCode(202)
  @ApiOperation({
    summary: 'A simulated customer answers a survey it received',
    description:
      'Delivered as Meta’s `messaging_feedback` event with the question id and type of the template the customer received.',
  })
  @ApiAcceptedResponse({ type: AnsweredSurveyDto })
  @ApiBadRequestResponse({
    description: `${BAD_INPUT}; also a score outside the survey’s scale, or a follow-up the survey does not ask`,
  })
  @ApiNotFoundResponse({ description: 'no such survey to this customer from the sandbox Page' })
  @ApiConflictResponse({
    description: 'SURVEY_NOT_DELIVERED, SURVEY_EXPIRED or SURVEY_ALREADY_ANSWERED',
  })
  answer(
    @Param() { psid }: CustomerParams,
    @Body() body: CustomerFeedbackDto,
  ): Promise<AnsweredSurveyDto> {
    return this.customers.answer(psid, body);
  }

  @Post('customers/:psid/response-feedback')
  @HttpCode(202)
  @ApiOperation({ summary: 'A simulated customer rates a Page message (Good / Bad response)' })
  @ApiAcceptedResponse({ type: AcceptedEventDto })
  @ApiBadRequestResponse({ description: BAD_INPUT })
  rateResponse(
    @Param() { psid }: CustomerParams,
    @Body() body: CustomerResponseFeedbackDto,
  ): Promise<AcceptedEventDto> {
    return this.customers.rateResponse(psid, body);
  }

  @Get('customers/:psid/inbox')
  @ApiOperation({
    summary: 'What the Page sent this customer through the simulated Send API, oldest first',
    description: 'Kept in memory since the start, at most 200 messages per customer.',
  })
  @ApiOkResponse({ type: InboxDto })
  @ApiBadRequestResponse({ description: BAD_INPUT })
  inbox(@Param() { psid }: CustomerParams): Promise<InboxDto> {
    return this.customers.inbox(psid);
  }

  @Post('graph/failures')
  @HttpCode(202)
  @ApiOperation({
    summary: 'The next Send API requests fail with a Meta error',
    description:
      'Each request counts, retries included: a transient code with count 1 fails the first attempt only.',
  })
  @ApiAcceptedResponse({ type: GraphFailuresAcceptedDto })
  @ApiBadRequestResponse({
    description: `${BAD_INPUT}; also more than ${MAX_PENDING_FAILURES} failures waiting`,
  })
  fail(@Body() body: GraphFailuresDto): GraphFailuresAcceptedDto {
    const pending = this.graph.injectFailures(body.count, {
      code: body.code,
      errorSubcode: body.errorSubcode ?? null,
      message: body.message ?? null,
    });
    if (pending === null) {
      throw AppError.validation([
        `at most ${MAX_PENDING_FAILURES} failures may wait (${this.graph.pendingFailures} do)`,
      ]);
    }
    return { pending };
  }
}
