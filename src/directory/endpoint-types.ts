import { defineEnum } from '../model/dto.js';

export const EndpointTypes = defineEnum('EndpointTypes', 'Voice.Api.Endpoints', [
  'PhoneNumber',
  'User',
  'Team',
  'Email',
  'Fax',
  'EmergencyAddress',
  'SipTrunk',
  'AssistantBot',
]);

/** How a User endpoint takes calls (Evo Voice's "Mode" of a user: soft phone, SIP phone or a flow). */
export const UserModes = defineEnum('UserModes', 'Voice.Api.Endpoints', ['SoftPhone', 'SipPhone', 'Flow']);
