import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { ErrorResponseDto } from '../../common/error-response.dto';
import type { Page } from '../../common/pagination';
import {
  CampaignTargetPageDto,
  ListCampaignsQuery,
  ListTargetsQuery,
  SurveyCampaignBodyDto,
  SurveyCampaignDto,
  SurveyCampaignPageDto,
} from './dto/survey-campaign.dto';
import {
  type CampaignTargetView,
  SurveyCampaigns,
  type SurveyCampaignView,
} from './survey-campaigns.service';

@ApiTags('survey automation')
@ApiBearerAuth()
@Controller('api/survey-campaigns')
export class SurveyCampaignsController {
  constructor(private readonly campaigns: SurveyCampaigns) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({
    summary:
      'Survey every customer whose last message to the Page falls in [since, until) and who can still be reached',
  })
  @ApiAcceptedResponse({ type: SurveyCampaignDto, description: 'running; sends go out paced' })
  @ApiBadRequestResponse({
    type: ErrorResponseDto,
    description: 'VALIDATION_FAILED: every failing field is named',
  })
  @ApiUnprocessableEntityResponse({
    type: ErrorResponseDto,
    description: 'NO_PAGE_ACCESS_TOKEN, or CAMPAIGN_TOO_LARGE (more than 100,000 customers)',
  })
  create(@Body() body: SurveyCampaignBodyDto): Promise<SurveyCampaignView> {
    return this.campaigns.create(given(body));
  }

  @Get()
  @ApiOperation({ summary: 'Campaigns, newest first' })
  @ApiOkResponse({ type: SurveyCampaignPageDto })
  @ApiBadRequestResponse({
    type: ErrorResponseDto,
    description: 'VALIDATION_FAILED or INVALID_CURSOR',
  })
  list(@Query() query: ListCampaignsQuery): Promise<Page<SurveyCampaignView>> {
    return this.campaigns.list(query.status, query.limit, query.cursor);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One campaign and its progress' })
  @ApiOkResponse({ type: SurveyCampaignDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  get(@Param('id') id: string): Promise<SurveyCampaignView> {
    return this.campaigns.get(id);
  }

  @Get(':id/targets')
  @ApiOperation({ summary: "A campaign's customers: state, reason, survey; by customer id" })
  @ApiOkResponse({ type: CampaignTargetPageDto })
  @ApiBadRequestResponse({
    type: ErrorResponseDto,
    description: 'VALIDATION_FAILED or INVALID_CURSOR',
  })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  targets(
    @Param('id') id: string,
    @Query() query: ListTargetsQuery,
  ): Promise<Page<CampaignTargetView>> {
    return this.campaigns.targets(id, query.state, query.limit, query.cursor);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Stop a running campaign: customers not yet surveyed are skipped as cancelled (a finished campaign stays as it is)',
  })
  @ApiOkResponse({ type: SurveyCampaignDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  cancel(@Param('id') id: string): Promise<SurveyCampaignView> {
    return this.campaigns.cancel(id);
  }
}

/** The fields the client sent (a DTO instance may hold declared fields left undefined). */
function given(body: SurveyCampaignBodyDto): Record<string, unknown> {
  return Object.fromEntries(Object.entries(body ?? {}).filter(([, value]) => value !== undefined));
}
