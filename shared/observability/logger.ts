/** The structured logger (Powertools), one per execution environment. */
import { Logger } from '@aws-lambda-powertools/logger';

export const logger = new Logger({ serviceName: 'credit-authorization' });
