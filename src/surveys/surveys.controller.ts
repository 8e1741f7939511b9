import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiBadGatewayResponse,
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { Page } from '../common/pagination';
import { SendSurveyDto } from './dto/send-survey.dto';
import {
  GraphApiErrorResponseDto,
  ListSurveysQuery,
  SurveyDetailDto,
  SurveyDto,
  SurveyPageDto,
} from './dto/survey.dto';
import { SurveySender } from './survey-sender.service';
import { SurveysService } from './surveys.service';

@ApiTags('surveys')
@ApiBearerAuth()
@Controller('api/surveys')
export class SurveysController {
  constructor(
    private readonly sender: SurveySender,
    private readonly surveys: SurveysService,
  ) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({
    summary: 'Send a Customer Feedback Template (CSAT, NPS or CES)',
    description:
      'Within 24 hours of the customer’s last message it goes out as a standard response; from 24 hours to 7 days with the CUSTOMER_FEEDBACK tag; later, 422 OUTSIDE_MESSAGING_WINDOW and nothing is sent. With no message on record it is sent with the tag and the Graph API decides.',
  })
  @ApiCreatedResponse({ type: SurveyDto })
  @ApiBadRequestResponse({ description: 'VALIDATION_FAILED: every failing field is named' })
  @ApiUnprocessableEntityResponse({
    description: 'OUTSIDE_MESSAGING_WINDOW, or NO_PAGE_ACCESS_TOKEN when no token serves the Page',
  })
  @ApiBadGatewayResponse({
    type: GraphApiErrorResponseDto,
    description: 'GRAPH_API_ERROR: the survey is kept with status failed',
  })
  send(@Body() body: SendSurveyDto): Promise<SurveyDto> {
    return this.sender.send(body);
  }

  @Get()
  @ApiOperation({ summary: 'Surveys, newest first' })
  @ApiOkResponse({ type: SurveyPageDto })
  list(@Query() query: ListSurveysQuery): Promise<Page<SurveyDetailDto>> {
    return this.surveys.list(query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One survey, with its answer or its Graph API error' })
  @ApiOkResponse({ type: SurveyDetailDto })
  @ApiNotFoundResponse()
  get(@Param('id') id: string): Promise<SurveyDetailDto> {
    return this.surveys.get(id);
  }
}
