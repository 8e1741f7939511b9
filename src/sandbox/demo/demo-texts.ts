/** What the demo's customers and the demo Page say. Invented, for an online clothing shop. */

export interface Topic {
  name: string;
  /** How the topic tends to go, added to the customer's experience (−1 bad … +1 good). */
  effect: number;
  opening: readonly string[];
  followUps: readonly string[];
  replies: readonly string[];
}

export const TOPICS: readonly Topic[] = [
  {
    name: 'delivery',
    effect: -0.25,
    opening: [
      'Hi, my order still hasn’t arrived',
      'Where is my parcel? The tracking hasn’t moved in 4 days',
      'Hello! My package says delivered but it’s not here',
      'Any update on order #{n}? It was due Monday',
    ],
    followUps: [
      'The order number is {n}',
      'Ok, I’ll wait until tomorrow',
      'Can you send it again please?',
      'It’s a gift, I really need it by Friday',
    ],
    replies: [
      'Sorry about that! Let me check with the carrier.',
      'I can see your parcel is at the local depot, it should arrive tomorrow.',
      'I’ve opened a claim with the carrier and will keep you posted.',
      'We’ve shipped a replacement by express, here is the new tracking link.',
    ],
  },
  {
    name: 'returns',
    effect: -0.1,
    opening: [
      'How do I return a jacket that doesn’t fit?',
      'I’d like a refund for order #{n}',
      'Can I exchange these jeans for a bigger size?',
      'I sent my return two weeks ago and haven’t got my money back',
    ],
    followUps: [
      'It’s the size M, I need an L',
      'I already printed the label',
      'When will the refund show on my card?',
      'Thanks, I’ll drop it at the post office',
    ],
    replies: [
      'Of course! You can start a return from your account, the label is free.',
      'Your refund has been processed, it takes 3–5 working days to appear.',
      'I’ve set up the exchange, the larger size ships as soon as we scan your return.',
      'Sorry for the wait, I’ve escalated your refund to our finance team.',
    ],
  },
  {
    name: 'product',
    effect: 0.2,
    opening: [
      'Is the linen shirt available in navy?',
      'Do your sneakers run true to size?',
      'Is this dress machine washable?',
      'When will the wool coat be back in stock?',
    ],
    followUps: [
      'Great, thanks!',
      'What about size 42?',
      'Perfect, I’ll order it now',
      'Can you let me know when it’s back?',
    ],
    replies: [
      'Yes! Navy is in stock in every size.',
      'They run true to size; if you’re between sizes take the bigger one.',
      'Machine washable at 30°, hang to dry.',
      'The coat is back next week, I can notify you.',
    ],
  },
  {
    name: 'payment',
    effect: -0.35,
    opening: [
      'I was charged twice for my order',
      'My card keeps getting declined at checkout',
      'The discount code WELCOME10 doesn’t work',
      'Why was I charged before the order shipped?',
    ],
    followUps: [
      'It’s the same card I always use',
      'I tried twice already',
      'Here is a screenshot',
      'Ok, thanks for checking',
    ],
    replies: [
      'I can see the duplicate charge, it has been refunded.',
      'The code has been applied to your order manually.',
      'We authorise the amount at checkout; it is only captured at shipping.',
      'Could you try again? Our payment provider had a short outage.',
    ],
  },
  {
    name: 'praise',
    effect: 0.6,
    opening: [
      'Just got my order, love it!',
      'The quality of the hoodie is amazing',
      'Thanks for the quick delivery!',
      'Your team was so helpful last time, thank you',
    ],
    followUps: ['Will definitely order again', 'Do you have it in green too?', '❤️'],
    replies: [
      'Thank you so much, that made our day!',
      'So glad you like it! Enjoy.',
      'Thanks for the kind words, we’ll pass them on to the team.',
    ],
  },
];

export const CUSTOMER_THANKS = ['Thanks', 'Thank you!', 'Ok', 'Great, thanks', 'Perfect 👍'];

/** Follow-up comments by how the customer felt. */
export const GOOD_COMMENTS = [
  'Fast and friendly, thank you!',
  'Sorted out in minutes, great service',
  'Very helpful, answered all my questions',
  'Love the clothes and the service',
  'The agent was super patient with me',
  'Quick refund, no hassle at all',
  'Easy exchange, will buy again',
  'Great communication throughout',
];
export const MIXED_COMMENTS = [
  'Got there in the end but it took a while',
  'Helpful, but the delivery is still slow',
  'Ok, the bot didn’t understand me at first',
  'Fine, but I had to explain twice',
];
export const BAD_COMMENTS = [
  'Still waiting for my refund',
  'Nobody answered for two days',
  'The bot kept sending me the same link',
  'Parcel lost and no real solution offered',
  'Too complicated to return an item',
  'Charged twice and it took forever to fix',
  'I want to talk to a human, not a bot',
  'Very disappointed, will not order again',
];

/** Customer edits: the corrected wording of a message. */
export const EDITS = ['(sorry, typo) ', '(edited) '];

export const ATTACHMENT_URLS = [
  'https://cdn.example.com/demo/parcel.jpg',
  'https://cdn.example.com/demo/receipt.png',
  'https://cdn.example.com/demo/jacket.jpg',
];
