import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ErrorResponseDto } from '../common/error-response.dto';
import { ListQueryDto, type Page } from '../common/pagination';
import {
  DecisionPageDto,
  ListDecisionsQuery,
  SurveyRuleBodyDto,
  SurveyRuleDto,
  SurveyRulePageDto,
} from './dto/survey-rule.dto';
import { DecisionView, SurveyRules, SurveyRuleView } from './survey-rules.service';

@ApiTags('survey automation')
@ApiBearerAuth()
@Controller('api/survey-rules')
export class SurveyRulesController {
  constructor(private readonly rules: SurveyRules) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Create a rule that sends a survey when its trigger fires' })
  @ApiCreatedResponse({ type: SurveyRuleDto })
  @ApiBadRequestResponse({
    type: ErrorResponseDto,
    description: 'VALIDATION_FAILED: every failing field is named',
  })
  create(@Body() body: SurveyRuleBodyDto): Promise<SurveyRuleView> {
    return this.rules.create(given(body));
  }

  @Get()
  @ApiOperation({ summary: 'Rules, oldest first' })
  @ApiOkResponse({ type: SurveyRulePageDto })
  @ApiBadRequestResponse({
    type: ErrorResponseDto,
    description: 'VALIDATION_FAILED or INVALID_CURSOR',
  })
  list(@Query() query: ListQueryDto): Promise<Page<SurveyRuleView>> {
    return this.rules.list(query.limit, query.cursor);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One rule' })
  @ApiOkResponse({ type: SurveyRuleDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  get(@Param('id') id: string): Promise<SurveyRuleView> {
    return this.rules.get(id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change some fields of a rule; the whole rule is checked again' })
  @ApiOkResponse({ type: SurveyRuleDto })
  @ApiBadRequestResponse({
    type: ErrorResponseDto,
    description: 'VALIDATION_FAILED: every failing field is named',
  })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  update(@Param('id') id: string, @Body() body: SurveyRuleBodyDto): Promise<SurveyRuleView> {
    return this.rules.update(id, given(body));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a rule and its decisions' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async remove(@Param('id') id: string): Promise<void> {
    await this.rules.remove(id);
  }

  @Get(':id/decisions')
  @ApiOperation({
    summary: 'What the rule decided each time its trigger fired, and why; newest first',
  })
  @ApiOkResponse({ type: DecisionPageDto })
  @ApiBadRequestResponse({
    type: ErrorResponseDto,
    description: 'VALIDATION_FAILED or INVALID_CURSOR',
  })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  decisions(
    @Param('id') id: string,
    @Query() query: ListDecisionsQuery,
  ): Promise<Page<DecisionView>> {
    return this.rules.decisions(id, query.outcome, query.limit, query.cursor);
  }
}

/** The fields the client sent (a DTO instance may hold declared fields left undefined). */
function given(body: SurveyRuleBodyDto): Record<string, unknown> {
  return Object.fromEntries(Object.entries(body ?? {}).filter(([, value]) => value !== undefined));
}
