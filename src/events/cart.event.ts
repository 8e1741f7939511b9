import { idField, numberField, objectsField, stringField } from './json-fields';
import { JsonObject, MessengerEvent } from './messenger-event';

/** `order.products[]` of a send_cart event. */
export interface CartProduct {
  /** Product ID from the Facebook catalog (sent as a number in the reference example). */
  id: string | null;
  retailerId: string | null;
  name: string | null;
  unitPrice: number | null;
  currency: string | null;
  quantity: number | null;
}

export interface CartData {
  products: CartProduct[];
  note: string | null;
}

/**
 * A customer sent the Page their cart (`send_cart`: an `order` beside sender and recipient, no
 * `message` and so no mid). A cart that comes inside a message stays on that message.
 */
export class CartReceivedEvent extends MessengerEvent<CartData> {
  static readonly eventName = 'messenger.cart.received';
  override readonly kind = 'cart';
}

export function readCartData(order: JsonObject): CartData {
  return {
    products: objectsField(order, 'products').map((product) => ({
      id: idField(product, 'id'),
      retailerId: idField(product, 'retailer_id'),
      name: stringField(product, 'name'),
      unitPrice: numberField(product, 'unit_price'),
      currency: stringField(product, 'currency'),
      quantity: numberField(product, 'quantity'),
    })),
    note: stringField(order, 'note'),
  };
}
