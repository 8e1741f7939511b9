import { ApiProperty } from '@nestjs/swagger';

export const CONVERSATION_EVENT_KINDS = [
  'postback',
  'referral',
  'optin',
  'account_linking',
  'policy_enforcement',
  'game_play',
  'handover',
  'cart',
] as const;

export class ConversationEventDto {
  @ApiProperty({ example: '42' }) id!: string;
  @ApiProperty({ enum: CONVERSATION_EVENT_KINDS }) kind!: string;
  @ApiProperty({ nullable: true, type: String }) pageId!: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'null for events about the Page itself',
  })
  userId!: string | null;
  @ApiProperty({ format: 'date-time', description: "the event's timestamp" }) timestamp!: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description:
      'by kind: postback {title, payload, mid, referral}; referral {ref, source, type, adId, refererUri}; ' +
      'optin {type, ref, userRef, payload, notificationToken}; account_linking {status, authorizationCode}; ' +
      'policy_enforcement {action, reason}; game_play {gameId, playerId, contextType, contextId, score, payload}; ' +
      'handover {handoverType, newOwnerAppId, previousOwnerAppId, requestedOwnerAppId, metadata, appRoles}; ' +
      'cart {mid, products: [{id, retailerId, name, unitPrice, currency, quantity}], note} (mid null for send_cart)',
  })
  data!: Record<string, unknown>;
}

export class ConversationEventPageDto {
  @ApiProperty({ type: [ConversationEventDto] }) items!: ConversationEventDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}
