/**
 * Build-time stand-in for `@aws-sdk/credential-provider-node` in Lambda bundles (an esbuild alias in infra/ and
 * bench/). Lambda always hands a function its role's credentials in environment variables, so the SDK's
 * full Node chain (SSO, INI files, IMDS, STS web identity...: ~100 KiB of code loaded at every cold start) is
 * dead weight there. Local runs are not bundled and keep the full chain.
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';

export const defaultProvider = (init?: Parameters<typeof fromEnv>[0]) => fromEnv(init);

/** Environment credentials carry their own expiry; the SDK refreshes through the provider. */
export const credentialsWillNeedRefresh = () => false;
export const credentialsTreatedAsExpired = () => false;
