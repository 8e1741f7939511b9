import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { ListQueryDto, Page } from '../common/pagination';
import {
  CreatedWebhookSubscriptionDto,
  CreateWebhookSubscriptionDto,
  ListDeliveriesQuery,
  UpdateWebhookSubscriptionDto,
  WebhookDeliveryDto,
  WebhookDeliveryPageDto,
  WebhookSubscriptionDto,
  WebhookSubscriptionPageDto,
} from './dto/webhook-subscription.dto';
import { WebhookSubscriptions } from './webhook-subscriptions.service';

const DISABLED = 'SUBSCRIPTION_DISABLED: enable the subscription first';

@ApiTags('outbound webhooks')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'UNAUTHORIZED: no or a wrong bearer token' })
@Controller('api/webhook-subscriptions')
export class WebhookSubscriptionsController {
  constructor(private readonly subscriptions: WebhookSubscriptions) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({
    summary: 'Subscribe a URL to events (the signing secret is in this answer only)',
  })
  @ApiCreatedResponse({ type: CreatedWebhookSubscriptionDto })
  @ApiBadRequestResponse({
    description:
      'VALIDATION_FAILED: a bad field, or a URL refused (not https, or not a public address, in production)',
  })
  create(@Body() body: CreateWebhookSubscriptionDto): Promise<CreatedWebhookSubscriptionDto> {
    return this.subscriptions.create(body);
  }

  @Get()
  @ApiOperation({ summary: 'Webhook subscriptions, newest first' })
  @ApiOkResponse({ type: WebhookSubscriptionPageDto })
  @ApiBadRequestResponse({ description: 'VALIDATION_FAILED or INVALID_CURSOR' })
  list(@Query() query: ListQueryDto): Promise<Page<WebhookSubscriptionDto>> {
    return this.subscriptions.list(query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One webhook subscription (without its secret)' })
  @ApiOkResponse({ type: WebhookSubscriptionDto })
  @ApiNotFoundResponse({ description: 'NOT_FOUND' })
  get(@Param('id') id: string): Promise<WebhookSubscriptionDto> {
    return this.subscriptions.get(id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change a subscription, or enable / disable it' })
  @ApiOkResponse({ type: WebhookSubscriptionDto })
  @ApiBadRequestResponse({ description: 'VALIDATION_FAILED, as for POST' })
  @ApiNotFoundResponse({ description: 'NOT_FOUND' })
  update(
    @Param('id') id: string,
    @Body() body: UpdateWebhookSubscriptionDto,
  ): Promise<WebhookSubscriptionDto> {
    return this.subscriptions.update(id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a subscription and its deliveries' })
  @ApiNoContentResponse({ description: 'deleted' })
  @ApiNotFoundResponse({ description: 'NOT_FOUND' })
  remove(@Param('id') id: string): Promise<void> {
    return this.subscriptions.remove(id);
  }

  @Post(':id/test')
  @HttpCode(202)
  @ApiOperation({ summary: 'Send a ping event to this subscription, like any delivery' })
  @ApiAcceptedResponse({ type: WebhookDeliveryDto, description: 'the queued delivery' })
  @ApiNotFoundResponse({ description: 'NOT_FOUND' })
  @ApiConflictResponse({ description: DISABLED })
  test(@Param('id') id: string): Promise<WebhookDeliveryDto> {
    return this.subscriptions.test(id);
  }

  @Get(':id/deliveries')
  @ApiOperation({ summary: 'A subscription’s deliveries and their last attempt, newest first' })
  @ApiOkResponse({ type: WebhookDeliveryPageDto })
  @ApiBadRequestResponse({ description: 'VALIDATION_FAILED or INVALID_CURSOR' })
  @ApiNotFoundResponse({ description: 'NOT_FOUND' })
  deliveries(
    @Param('id') id: string,
    @Query() query: ListDeliveriesQuery,
  ): Promise<Page<WebhookDeliveryDto>> {
    return this.subscriptions.deliveries(id, query);
  }

  @Post(':id/deliveries/:deliveryId/retry')
  @HttpCode(202)
  @ApiOperation({ summary: 'Attempt a delivery again now (same webhook-id)' })
  @ApiAcceptedResponse({ type: WebhookDeliveryDto, description: 'the delivery, due now' })
  @ApiNotFoundResponse({ description: 'NOT_FOUND: no such subscription or delivery' })
  @ApiConflictResponse({ description: DISABLED })
  retry(
    @Param('id') id: string,
    @Param('deliveryId') deliveryId: string,
  ): Promise<WebhookDeliveryDto> {
    return this.subscriptions.retry(id, deliveryId);
  }
}
