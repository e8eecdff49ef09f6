import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';

/** One Bot API call as the stand-in saw it, and how it answered. */
export interface BotCall {
  token: string;
  method: string;
  chatId: number;
  text: string;
  parseMode: string | undefined;
  /** When it arrived (ms since the epoch). */
  at: number;
  status: number;
}

/** How to answer a `sendMessage`: accept it, or refuse it with 429 and `retry_after` seconds. */
export type BotAnswer = { ok: true } | { retryAfter: number };

const TAGS = new Set(['b', 'strong', 'i', 'em', 'u', 'ins', 's', 'strike', 'del', 'code', 'pre', 'tg-spoiler']);

/**
 * Whether Telegram's HTML parse mode would take `text`: only its tags (balanced), only its four named entities, and
 * no other `<`, `>` or `&`. Answers the problem, or null.
 */
export function telegramHtmlProblem(text: string): string | null {
  const open: string[] = [];
  for (const match of text.matchAll(/<(\/?)([a-z-]+)>|&(?:amp|lt|gt|quot);|[<>&]/g)) {
    const [token, closing, tag] = match;
    if (tag === undefined) {
      if (token.length === 1) return `bare "${token}" at ${match.index}`;
      continue;
    }
    if (!TAGS.has(tag)) return `unsupported tag <${tag}>`;
    if (!closing) open.push(tag);
    else if (open.pop() !== tag) return `unbalanced </${tag}>`;
  }
  return open.length ? `unclosed <${open[open.length - 1]}>` : null;
}

/**
 * A stand-in for the Telegram Bot API on 127.0.0.1 (what TELEGRAM_API_ROOT points at): records every call, answers
 * `sendMessage` as Telegram does (400 for text its HTML parser refuses, 429 with `retry_after` when `answer` says so).
 */
export async function startBotApi(answer: (call: BotCall) => BotAnswer = () => ({ ok: true })) {
  const calls: BotCall[] = [];
  let messageId = 0;
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const [, token, method] = /^\/bot([^/]+)\/(\w+)$/.exec(request.url ?? '') ?? [];
      const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
      const call: BotCall = {
        token,
        method,
        chatId: Number(body.chat_id),
        text: String(body.text ?? ''),
        parseMode: body.parse_mode,
        at: Date.now(),
        status: 200,
      };
      calls.push(call);
      const reply = (status: number, json: Record<string, unknown>) => {
        call.status = status;
        response.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(json));
      };
      if (method !== 'sendMessage') return reply(404, { ok: false, error_code: 404, description: 'Not Found' });
      const problem = call.parseMode === 'HTML' ? telegramHtmlProblem(call.text) : null;
      if (problem) {
        return reply(400, { ok: false, error_code: 400, description: `Bad Request: can't parse entities: ${problem}` });
      }
      const decided = answer(call);
      if ('retryAfter' in decided) {
        return reply(429, {
          ok: false,
          error_code: 429,
          description: `Too Many Requests: retry after ${decided.retryAfter}`,
          parameters: { retry_after: decided.retryAfter },
        });
      }
      reply(200, {
        ok: true,
        result: {
          message_id: ++messageId,
          date: Math.floor(call.at / 1000),
          chat: { id: call.chatId, type: call.chatId < 0 ? 'group' : 'private' },
          text: call.text,
        },
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    /** The messages Telegram would have shown, per chat, in the order they came. */
    delivered: (chatId?: number) =>
      calls.filter((call) => call.status === 200 && (chatId === undefined || call.chatId === chatId)),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type BotApi = Awaited<ReturnType<typeof startBotApi>>;
