/**
 * The local mail sink: an SMTP server on 127.0.0.1 (the `smtp-server` package) that accepts every message and
 * saves it, as sent, to `<dir>/<timestamp>-<id>.eml`, where any mail reader opens it. `npm start` runs one on
 * DATA_DIR/mail and points the notifier at it (SMTP_URL); the notification tests run their own. It relays nothing,
 * asks for no login, offers no TLS, and logs nothing (a message's addresses are contact data).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';

/** A notification email is a few KB; anything near this is not one. */
const MAX_MESSAGE_BYTES = 1_000_000;

export interface MailSink {
  /** `smtp://127.0.0.1:<port>`: SMTP_URL for the notifier. */
  url: string;
  dir: string;
  /** The files saved so far, in the order they arrived. */
  saved: string[];
  close: () => Promise<void>;
}

/** `2026-12-01T13:03:45.123Z` → `2026-12-01T13-03-45-123Z`: sortable and valid on every file system. */
const fileStamp = (date: Date) => date.toISOString().replace(/[:.]/g, '-');

export async function startMailSink(options: { dir: string; port?: number }): Promise<MailSink> {
  mkdirSync(options.dir, { recursive: true });
  const saved: string[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    size: MAX_MESSAGE_BYTES,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', (error) => callback(error));
      stream.on('end', () => {
        const file = join(options.dir, `${fileStamp(new Date())}-${randomBytes(6).toString('hex')}.eml`);
        writeFile(file, Buffer.concat(chunks)).then(
          () => {
            saved.push(file);
            callback();
          },
          (error: Error) => callback(error),
        );
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    dir: options.dir,
    saved,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * `npm start`'s sink: on DATA_DIR/mail (a fresh temporary folder when DATA_DIR is `:memory:`), unless SMTP_URL
 * already names a server to send to. Sets SMTP_URL for the event consumer, which reads it when it starts.
 */
export async function startLocalMailSink(dataDir: string): Promise<MailSink | undefined> {
  if (process.env['SMTP_URL']) return undefined;
  const dir = dataDir === ':memory:' ? mkdtempSync(join(tmpdir(), 'credit-mail-')) : join(dataDir, 'mail');
  const sink = await startMailSink({ dir });
  process.env['SMTP_URL'] = sink.url;
  return sink;
}
