// The messaging DTOs as an Evo Voice client holds them (`x typescript-ref` style), for @servicestack/client.
import type { IReturn } from '@servicestack/client';

/** Fields are `declare`d in subclasses, so the initializer does not reset what the constructor assigned. */
class Dto {
  constructor(init?: object) {
    Object.assign(this, init);
  }
}

export class MessageInfo {
  id?: string;
  direction?: string;
  otherAddress?: string;
  text?: string;
}

export class ChatTranscriptMessage {
  date?: string;
  from?: string;
  body?: string;
  mediaUri?: string;
}

export class GetChatTranscriptResponse {
  messages?: ChatTranscriptMessage[];
}

export class SendMessage extends Dto implements IReturn<MessageInfo> {
  declare sessionId?: string;
  declare endpointId?: string;
  declare toAddress?: string;
  declare body?: string;
  getTypeName() {
    return 'SendMessage';
  }
  getMethod() {
    return 'POST';
  }
  createResponse() {
    return new MessageInfo();
  }
}

export class GetChatTranscript extends Dto implements IReturn<GetChatTranscriptResponse> {
  declare sessionId?: string;
  declare includeHistorical?: boolean;
  getTypeName() {
    return 'GetChatTranscript';
  }
  getMethod() {
    return 'GET';
  }
  createResponse() {
    return new GetChatTranscriptResponse();
  }
}
