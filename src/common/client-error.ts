import { maxHeaderSize, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { errorBody } from './http-exception.filter';

// `rawPacket`: the bytes the parser had when it refused them (a Buffer).
type ParserError = Error & { code?: string; rawPacket?: unknown };

/**
 * Whether the bytes the parser refused begin with a request line that alone exceeds the header
 * limit (Node counts the request line in it): then the URL is too long, not the headers. A request
 * line split over several packets cannot be told apart and counts as headers too large.
 */
function requestLineTooLong(packet: unknown): boolean {
  if (!Buffer.isBuffer(packet) || !/^[A-Z]+ /.test(packet.subarray(0, 16).toString('latin1'))) {
    return false;
  }
  const end = packet.indexOf('\n');
  return (end === -1 ? packet.length : end) > maxHeaderSize;
}

/** The status and code of a request Node's HTTP parser refused before Fastify saw it. */
function classify(error: ParserError): { status: number; code: string; message: string } {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return requestLineTooLong(error.rawPacket)
        ? { status: 414, code: 'URI_TOO_LONG', message: 'the request URL is too long' }
        : {
            status: 431,
            code: 'REQUEST_HEADER_FIELDS_TOO_LARGE',
            message: 'the request headers are too large',
          };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, code: 'REQUEST_TIMEOUT', message: 'the request took too long' };
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return { status: 413, code: 'PAYLOAD_TOO_LARGE', message: 'chunk extensions are too large' };
    default:
      return { status: 400, code: 'BAD_REQUEST', message: 'the request is not valid HTTP' };
  }
}

/**
 * Fastify's `clientErrorHandler`: the answer to what Node's HTTP parser refuses (a malformed
 * request line or header, a URL or headers over the limit) in the one error shape, written on the
 * socket (no request or reply exists), which is then closed: the parser cannot continue on it.
 */
export function answerClientError(error: ParserError, socket: Socket): void {
  // A reset connection has no one to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  // As Node itself: no answer of our own once a response on this connection has begun.
  const current = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (socket.writable && !current?.headersSent) {
    const { status, code, message } = classify(error);
    const body = JSON.stringify(errorBody(status, code, message));
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
        'Content-Type: application/json; charset=utf-8\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        'Connection: close\r\n\r\n' +
        body,
    );
  }
  socket.destroy(error);
}
