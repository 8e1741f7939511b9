// The baseline of the webhook benchmark: a bare Fastify route that only checks the signature of
// the raw body and answers, with nothing stored.
const Fastify = require('fastify');
const { createHmac, timingSafeEqual } = require('node:crypto');

const secret = process.env.MESSENGER_APP_SECRET;
const app = Fastify({ bodyLimit: 16 * 1024 * 1024 });
app.removeContentTypeParser('application/json');
app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) =>
  done(null, body),
);
app.get('/health', async () => ({ status: 'ok' }));
app.post('/webhook', async (request, reply) => {
  const header = String(request.headers['x-hub-signature-256'] || '');
  const expected = createHmac('sha256', secret).update(request.body).digest();
  const given = Buffer.from(header.slice(7), 'hex');
  if (!header.startsWith('sha256=') || given.length !== 32 || !timingSafeEqual(given, expected)) {
    return reply.code(401).send('bad signature');
  }
  JSON.parse(request.body.toString('utf8'));
  return reply.type('text/plain').send('EVENT_RECEIVED');
});
app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
