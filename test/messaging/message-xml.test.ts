/**
 * MessageInfo and GetChatTranscriptResponse in XML, byte for byte as .NET's DataContractSerializer
 * writes them: the fixtures are mono's output for Evo's DTOs (fixtures/MessageXml.cs, which says
 * how to regenerate them).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GetChatTranscriptResponse, MessageInfo } from '../../src/messaging/message-dtos.js';
import { writeXml } from '../../src/wire/xml-writer.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

describe('messaging XML as DataContractSerializer writes it', () => {
  it('writes MessageInfo byte for byte', () => {
    const info = {
      id: 'SM0123456789abcdef0123456789abcdef',
      accountId: 'acct_acme',
      customerId: 'cust_west',
      endpointId: 'ep_main_line',
      endpointDisplayName: 'Main line',
      date: '2026-12-03T10:00:00.000Z',
      direction: 'Outgoing',
      otherAddress: '+15035557777',
      sender: 'Dana Agent',
      text: 'On my way <5 min> & counting',
      isUnread: false,
    };
    expect(writeXml(MessageInfo, info)).toBe(fixture('message-info.xml'));
  });

  it('writes GetChatTranscriptResponse byte for byte, an MMS’s second medium with a nil body', () => {
    const transcript = {
      messages: [
        { date: '2026-12-03T10:00:00.000Z', from: '+15035557777', body: 'Here is the label', mediaUri: 'https://api.twilio.com/media/ME1', mediaContentType: 'image/jpeg' },
        { date: '2026-12-03T10:00:00.000Z', from: '+15035557777', mediaUri: 'https://api.twilio.com/media/ME2', mediaContentType: 'image/png' },
      ],
    };
    expect(writeXml(GetChatTranscriptResponse, transcript)).toBe(fixture('chat-transcript.xml'));
  });
});

describe('ListMessages in XML', () => {
  it('names its root as .NET names ListResponse<MessageInfo> (mono computes SessionInfo’s known hash the same way)', async () => {
    const { ListMessagesResponse } = await import('../../src/messaging/message-dtos.js');
    expect(writeXml(ListMessagesResponse, { items: [] })).toMatch(/^<\?xml version="1.0" encoding="utf-8"\?><ListResponseOfMessageInfoCeNIv4MU xmlns:i=/);
  });
});
