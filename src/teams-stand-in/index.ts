export { createTeamsStandIn } from './stand-in.ts';
export type { TeamsStandIn } from './stand-in.ts';
export type { TeamsStandInOptions } from './options.ts';
export { MAX_ACTIVITY_BYTES, TEAMS_RATE_LIMITS, teamsUserId } from './options.ts';
export type * from './types.ts';
export {
  BOT_FRAMEWORK_ISSUER,
  JWKS_PATH,
  OPENID_METADATA_PATH,
  TOKEN_FLAWS,
  botFrameworkAuthConfig,
  createOpenIdIssuer,
  createOpenIdStandIn,
} from './openid.ts';
export type { Jwk, OpenIdIssuer, OpenIdStandIn, TokenFlaw, TokenRequest } from './openid.ts';
export { TeamsDeliveryError, createTeamsDelivery } from './deliver.ts';
export type { Delivered, Inputs, TeamsDelivery, TeamsDeliveryOptions } from './deliver.ts';
