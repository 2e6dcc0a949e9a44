/**
 * How every Lambda function is bundled: one definition for the CDK stack (NodejsFunction bundling) and the
 * bench (which measures exactly what is deployed).
 *
 * - The AWS SDK is bundled, not taken from the Lambda runtime: the deployed code runs the SDK version it was
 *   tested with, and one pre-bundled file also loads faster at cold start than the runtime's node_modules tree
 *   (measured in BENCHMARKS.md).
 * - `@aws-sdk/credential-provider-node` is replaced by an environment-only provider: Lambda always passes the
 *   role's credentials in environment variables, so the rest of the Node chain is ~100 KiB of dead code.
 */
export const LAMBDA_BUNDLE_OPTIONS = {
  minify: true,
  sourceMap: true,
  target: 'node22',
  mainFields: ['module', 'main'],
  externalModules: [] as string[],
  /** Paths relative to the repository root. */
  aliases: { '@aws-sdk/credential-provider-node': 'shared/storage/lambda-credentials.ts' },
  /** ESM bundles still meet CommonJS dependencies that call require(). */
  banner: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
} as const;
