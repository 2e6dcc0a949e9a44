/**
 * Reads SSM parameters for the functions that apply the risk settings: a Powertools Parameters provider (caching,
 * `maxAge`, the JSON transform are BaseProvider's) whose one call, GetParameter, is a SigV4-signed request made
 * with the pieces every bundle already carries for DynamoDB (@smithy/signature-v4, its HTTP handler, the
 * environment's credentials).
 *
 * Why not Powertools' SSMProvider here: it brings the whole SSM client (~180 KiB minified: every command's schema
 * and error class), and the authorize bundle is budgeted at 400 KiB with a cold import at most twice an empty
 * Node process's (BENCHMARKS.md; shared/http/untraced-route.ts). GetParameter is one JSON POST; the writer, PUT
 * /v1/risk-settings, whose bundle is not budgeted, uses SSMProvider (ssm-writer.ts).
 */
import { BaseProvider } from '@aws-lambda-powertools/parameters/base';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { HttpRequest } from '@smithy/core/protocols';
import { NodeHttpHandler, streamCollector } from '@smithy/node-http-handler';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, Checksum, Provider, SourceData } from '@smithy/types';
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';

/**
 * One read's bounds. The settings are read on the checkout path once per maxAge per execution environment: a slow
 * SSM must cost that checkout little (the source keeps its last good settings on a failure, and tries again a few
 * seconds later, so there is no retry here).
 */
const CONNECTION_TIMEOUT_MS = 500;
const REQUEST_TIMEOUT_MS = 1_000;
/** An SSM answer to GetParameter is one parameter of at most 8 KB (Advanced tier) plus its metadata. */
const MAX_RESPONSE_BYTES = 64 * 1024;

/** SHA-256 (and its HMAC, for the signing key) over node:crypto, in the shape SignatureV4 asks for. */
class NodeSha256 implements Checksum {
  #hash: Hash | Hmac;
  constructor(private readonly secret?: SourceData) {
    this.#hash = this.fresh();
  }
  update(data: Uint8Array): void {
    this.#hash.update(data);
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.#hash.digest());
  }
  reset(): void {
    this.#hash = this.fresh();
  }
  private fresh(): Hash | Hmac {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', toBytes(this.secret));
  }
}

function toBytes(data: SourceData): Uint8Array {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return new Uint8Array(data);
}

/** The Region's SSM endpoint (China Regions are in their own partition), unless one is given. */
export function ssmEndpoint(region: string, override: string | undefined): URL {
  if (override !== undefined) return new URL(override);
  const domain = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  return new URL(`https://ssm.${region}.${domain}/`);
}

/** An error SSM answered: its `__type` as the name (ThrottlingException, ParameterNotFound...), as the SDK's. */
export class SsmError extends Error {
  readonly $metadata: { httpStatusCode: number };
  constructor(name: string, message: string, status: number) {
    super(message);
    this.name = name;
    this.$metadata = { httpStatusCode: status };
  }
}

export interface SsmReaderOptions {
  region: string;
  /** AWS_ENDPOINT_URL_SSM, as the SDK reads it (tests point it at a stand-in). */
  endpoint?: string | undefined;
  /** The environment's credentials by default (inside Lambda, the role's). */
  credentials?: AwsCredentialIdentity | Provider<AwsCredentialIdentity>;
}

export class SsmReader extends BaseProvider {
  readonly #endpoint: URL;
  readonly #signer: SignatureV4;
  readonly #http: NodeHttpHandler;

  constructor(options: SsmReaderOptions) {
    super({});
    this.#endpoint = ssmEndpoint(options.region, options.endpoint);
    this.#signer = new SignatureV4({
      service: 'ssm',
      region: options.region,
      credentials: options.credentials ?? defaultProvider(),
      sha256: NodeSha256,
    });
    const agent = { keepAlive: true, maxSockets: 8 };
    this.#http = new NodeHttpHandler({
      connectionTimeout: CONNECTION_TIMEOUT_MS,
      requestTimeout: REQUEST_TIMEOUT_MS,
      httpAgent: new HttpAgent(agent),
      httpsAgent: new HttpsAgent(agent),
    });
  }

  /** GetParameter: the value, or throws SsmError (a missing parameter too: `ParameterNotFound`). */
  protected async _get(name: string): Promise<string | undefined> {
    const { status, body } = await this.call('AmazonSSM.GetParameter', { Name: name, WithDecryption: false });
    const answer = parseJson(body);
    if (status !== 200) {
      const type =
        String(answer?.['__type'] ?? `HTTP${status}`)
          .split('#')
          .at(-1) ?? 'SsmError';
      throw new SsmError(
        type,
        String(answer?.['message'] ?? answer?.['Message'] ?? body.slice(0, 200)),
        status,
      );
    }
    const value = (answer?.['Parameter'] as { Value?: unknown } | undefined)?.Value;
    if (typeof value !== 'string')
      throw new SsmError('InvalidResponse', 'GetParameter answered no value', status);
    return value;
  }

  protected _getMultiple(): Promise<Record<string, unknown> | undefined> {
    return Promise.reject(new Error('SsmReader reads parameters by name only'));
  }

  /** One signed AWS JSON 1.1 call. */
  private async call(target: string, input: unknown): Promise<{ status: number; body: string }> {
    const body = JSON.stringify(input);
    const url = this.#endpoint;
    const request = new HttpRequest({
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      method: 'POST',
      path: url.pathname,
      headers: {
        host: url.host,
        'content-type': 'application/x-amz-json-1.1',
        'content-length': String(Buffer.byteLength(body)),
        'x-amz-target': target,
      },
      body,
    });
    const signed = await this.#signer.sign(request);
    const { response } = await this.#http.handle(signed as HttpRequest);
    const bytes = await streamCollector(response.body);
    if (bytes.byteLength > MAX_RESPONSE_BYTES)
      throw new SsmError('InvalidResponse', `an answer of ${bytes.byteLength} bytes`, response.statusCode);
    return { status: response.statusCode, body: Buffer.from(bytes).toString('utf8') };
  }
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
