import { Type, type TProperties } from '@sinclair/typebox';
import { defineDto, type Dto } from '../model/dto.js';
import type { Access, Caller, Operation } from '../http/operation.js';
import { optional, refuseMembers, required } from './crud-operations.js';
import type { EndpointCreation } from './endpoint-operations.js';
import { UserModes } from './endpoint-types.js';

type Input = Record<string, unknown>;
type Create = (input: Input, caller: Caller, made: EndpointCreation) => Promise<Record<string, unknown>>;

const str = (description: string) => Type.Optional(Type.String({ description }));
const bool = (description: string) => Type.Optional(Type.Boolean({ description }));
const NAMESPACE = 'Voice.Api.Endpoints';
const owner = {
  accountId: str('The account to create the endpoint in'),
  customerId: str('The customer to associate the endpoint with'),
  referenceId: str('The third party reference ID for the endpoint'),
};

interface TypedCreate {
  readonly name: string;
  readonly path: string;
  readonly description: string;
  readonly members: TProperties;
  /** Members of Evo's DTO Switchboard holds no data for: a 400 naming them when sent. */
  readonly refused?: Readonly<Record<string, string>>;
  made(input: Input): EndpointCreation;
}

/** A User endpoint is named for its person: "First Last", else the email address. */
const personName = (input: Input) =>
  [optional(input, 'firstName'), optional(input, 'lastName')].filter(Boolean).join(' ') || required(input, 'emailAddress', 'Email Address');

/**
 * Evo Voice creates each kind of endpoint on its own route with its own request DTO (there is no
 * plain `POST /endpoints` in Evo; Switchboard keeps its own beside these). The DTOs' names other
 * than BuyPhoneNumber are Switchboard's: Evo's metadata pages for them are not public.
 */
const TYPED_CREATES: readonly TypedCreate[] = [
  {
    name: 'NewUserEndpoint',
    path: '/endpoints/users',
    description: 'Creates a User endpoint (an agent). Signing in is a user of /users, created separately',
    members: {
      ...owner,
      emailAddress: str('The email address of the agent (links the endpoint to the user who signs in with it)'),
      firstName: str("The agent's first name"),
      lastName: str("The agent's last name"),
      userMode: Type.Optional({ ...UserModes.schema, description: 'How the agent takes calls' }),
      sipUserName: str('The SIP user name (SipPhone mode)'),
      identity: str("The agent's client identity, e.g. client:dana"),
      avatarUrl: str('Avatar image URL'),
    },
    made: (input) => ({
      type: 'User',
      displayName: personName(input),
      fields: { ...input, email: required(input, 'emailAddress', 'Email Address') },
    }),
  },
  {
    name: 'NewTeamEndpoint',
    path: '/endpoints/team',
    description: 'Creates a Team endpoint',
    members: { ...owner, name: str('The name of the team') },
    made: (input) => ({ type: 'Team', displayName: required(input, 'name', 'Name'), fields: input }),
  },
  {
    name: 'NewEmailEndpoint',
    path: '/endpoints/email',
    description: 'Creates an Email endpoint',
    members: { ...owner, emailAddress: str('The email address'), displayName: str('The name to show (default: the address)') },
    made: (input) => {
      const email = required(input, 'emailAddress', 'Email Address');
      return { type: 'Email', displayName: optional(input, 'displayName') || email, fields: { ...input, email } };
    },
  },
  {
    name: 'NewSipTrunkEndpoint',
    path: '/endpoints/sip-trunk',
    description: 'Creates a SIP trunk endpoint',
    members: { ...owner, name: str('The name of the trunk'), sipUserName: str('The SIP user name the trunk registers with') },
    made: (input) => ({ type: 'SipTrunk', displayName: required(input, 'name', 'Name'), fields: input }),
  },
  {
    name: 'NewAssistantEndpoint',
    path: '/endpoints/assistant',
    description: 'Creates an assistant (bot) endpoint',
    members: { ...owner, name: str('The name of the assistant') },
    made: (input) => ({ type: 'AssistantBot', displayName: required(input, 'name', 'Name'), fields: input }),
  },
  {
    name: 'BuyPhoneNumber',
    path: '/endpoints/phone-numbers',
    description: 'Records a phone number (or fax number) endpoint. Switchboard never buys a number from Twilio: buy it there, record it here',
    members: {
      accountId: owner.accountId,
      customerId: owner.customerId,
      number: str('The number, E.164'),
      isVirtualPhoneNumber: bool('Accepted; every number Switchboard records is one it did not buy'),
      isFaxNumber: bool('A fax number (a Fax endpoint)'),
      addressSid: str('Not supported: Switchboard holds no Twilio addresses'),
      tagIds: Type.Optional(Type.Array(Type.String(), { description: 'Not supported: Switchboard holds no tags' })),
      flowId: str('Not supported: Switchboard holds no flows'),
    },
    refused: { addressSid: 'Switchboard holds no Twilio addresses', tagIds: 'Switchboard holds no tags', flowId: 'Switchboard holds no flows' },
    made: (input) => {
      const number = required(input, 'number', 'Number');
      return { type: input.isFaxNumber === true ? 'Fax' : 'PhoneNumber', displayName: number, fields: { ...input, phoneNumber: number } };
    },
  },
];

// Operations are built per app (tests build many); their DTOs are declared once per process.
const dtos = new Map<string, Dto>();

/** The typed create operations, each answering the new endpoint's EndpointInfo. */
export function typedEndpointCreates(create: Create, info: Dto, access: Access): Operation[] {
  return TYPED_CREATES.map((spec) => {
    let request = dtos.get(spec.name);
    if (!request) {
      request = defineDto({ name: spec.name, namespace: NAMESPACE, description: spec.description }, spec.members);
      dtos.set(spec.name, request);
    }
    return {
      request,
      response: info,
      routes: [{ path: spec.path, verbs: ['POST'] }],
      description: spec.description,
      access,
      handle: async (input: Input, { caller }) => {
        refuseMembers(input, spec.refused ?? {});
        return create(input, caller!, spec.made(input));
      },
    } satisfies Operation<typeof request>;
  });
}
