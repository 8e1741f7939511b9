import {
  Unreadable,
  idField,
  numberField,
  objectField,
  objectsField,
  ownField,
  stringField,
} from './json-fields';
import { JsonObject, MessengerEvent } from './messenger-event';

export interface Coordinates {
  lat: number;
  long: number;
}

/** `message.attachments[].payload.product.elements[]` of a shared product template. */
export interface ProductElement {
  id: string | null;
  retailerId: string | null;
  imageUrl: string | null;
  title: string | null;
  subtitle: string | null;
}

export interface MessageAttachment {
  /** image, audio, video, file, location, fallback, template, or whatever Meta adds next. */
  type: string | null;
  url: string | null;
  title: string | null;
  stickerId: string | null;
  coordinates: Coordinates | null;
  product: { elements: ProductElement[] } | null;
  /** The attachment's payload as received, for anything not lifted out above. */
  payload: JsonObject | null;
}

/** The content of a message, shared by what the customer sends and what the Page sends (echoes). */
export interface MessageData {
  mid: string;
  /** The sender's own words: for a legacy helper reply this is `original_text`, not the rewrite. */
  text: string | null;
  /** The rewritten text of a legacy helper reply ("... (replied to - '...')"), else null. */
  helperText: string | null;
  quickReplyPayload: string | null;
  replyToMid: string | null;
  attachments: MessageAttachment[];
  /** `message.referral` (a Facebook Shops product detail page) as received. */
  referral: JsonObject | null;
  isEcho: boolean;
  /** The app that sent an echo. */
  appId: string | null;
  /** Developer metadata sent with an echoed message. */
  metadata: string | null;
  /** The cart/order of a send_cart message, as received. */
  cart: JsonObject | null;
}

/** A message a customer sent to the Page. */
export class MessageReceivedEvent extends MessengerEvent<MessageData> {
  static readonly eventName = 'messenger.message.received';
  override readonly kind = 'message';
}

/** A message the Page sent (by any app or a person in the inbox), echoed back to us. */
export class MessageEchoEvent extends MessengerEvent<MessageData> {
  static readonly eventName = 'messenger.message.echoed';
  override readonly kind = 'message_echo';
}

export interface MessageEditData {
  mid: string;
  text: string | null;
  /** How many times the message has been edited so far. */
  numEdit: number | null;
}

/** A customer edited a message they had sent (`message_edit`). */
export class MessageEditedEvent extends MessengerEvent<MessageEditData> {
  static readonly eventName = 'messenger.message.edited';
  override readonly kind = 'message_edit';
}

/** `message` (or the echo's `message`) → MessageData; `event` is the whole event, for send_cart. */
export function readMessageData(message: JsonObject, event: JsonObject): MessageData | Unreadable {
  const mid = stringField(message, 'mid');
  if (mid === null) return new Unreadable('message.mid is missing');
  // The legacy reply helper rewrites `text`; the customer's own words stay in `original_text`.
  const originalText = stringField(message, 'original_text');
  return {
    mid,
    text: originalText ?? stringField(message, 'text'),
    helperText: originalText === null ? null : stringField(message, 'text'),
    quickReplyPayload: stringField(objectField(message, 'quick_reply'), 'payload'),
    replyToMid: stringField(objectField(message, 'reply_to'), 'mid'),
    attachments: objectsField(message, 'attachments').map(readAttachment),
    referral: objectField(message, 'referral'),
    isEcho: ownField(message, 'is_echo') === true,
    appId: idField(message, 'app_id'),
    metadata: stringField(message, 'metadata'),
    // send_cart documents `order` beside `message`; accept a cart or order inside it as well.
    cart:
      objectField(message, 'cart') ??
      objectField(message, 'order') ??
      objectField(event, 'cart') ??
      objectField(event, 'order'),
  };
}

function readAttachment(attachment: JsonObject): MessageAttachment {
  const payload = objectField(attachment, 'payload');
  const coordinates = objectField(payload, 'coordinates');
  const lat = numberField(coordinates, 'lat');
  const long = numberField(coordinates, 'long');
  const product = objectField(payload, 'product');
  return {
    type: stringField(attachment, 'type'),
    // Before webhook v6.0 a fallback carried its url and title on the attachment itself, the
    // link spelled `URL` by some versions.
    url:
      stringField(payload, 'url') ??
      stringField(attachment, 'url') ??
      stringField(attachment, 'URL') ??
      stringField(payload, 'URL'),
    title: stringField(payload, 'title') ?? stringField(attachment, 'title'),
    stickerId: idField(payload, 'sticker_id'),
    coordinates: lat !== null && long !== null ? { lat, long } : null,
    product:
      product === null ? null : { elements: objectsField(product, 'elements').map(readProduct) },
    payload,
  };
}

function readProduct(element: JsonObject): ProductElement {
  return {
    id: idField(element, 'id'),
    retailerId: idField(element, 'retailer_id'),
    imageUrl: stringField(element, 'image_url'),
    title: stringField(element, 'title'),
    subtitle: stringField(element, 'subtitle'),
  };
}

export function readMessageEditData(edit: JsonObject): MessageEditData | Unreadable {
  const mid = stringField(edit, 'mid');
  if (mid === null) return new Unreadable('message_edit.mid is missing');
  return { mid, text: stringField(edit, 'text'), numEdit: numberField(edit, 'num_edit') };
}
