/**
 * The few TensorBoard protobuf messages an event file's scalars need, decoded with
 * protobufjs. Field numbers and types follow the public definitions in the tensorboard
 * repository (Apache-2.0), tensorboard/compat/proto/: event.proto (Event), summary.proto
 * (Summary, Summary.Value, SummaryMetadata), tensor.proto (TensorProto), tensor_shape.proto
 * (TensorShapeProto) and types.proto (DataType), as of commit 00342393c324 of
 * https://github.com/tensorflow/tensorboard. Only the fields read here are declared; the
 * decoder skips the others. Image, histogram and audio values are declared as `bytes`
 * (the same wire type as an embedded message), to be named in errors without being decoded.
 */
import protobuf from 'protobufjs';

const EVENT_PROTO = `
syntax = "proto3";
package adomix.tb;

message Event {
  double wall_time = 1;
  int64 step = 2;
  oneof what {
    string file_version = 3;
    Summary summary = 5;
  }
}

message Summary {
  message Value {
    string tag = 1;
    SummaryMetadata metadata = 9;
    oneof value {
      float simple_value = 2;
      bytes image = 4;
      bytes histo = 5;
      bytes audio = 6;
      TensorProto tensor = 8;
    }
  }
  repeated Value value = 1;
}

message SummaryMetadata {
  message PluginData {
    string plugin_name = 1;
    bytes content = 2;
  }
  PluginData plugin_data = 1;
}

message TensorShapeProto {
  message Dim {
    int64 size = 1;
    string name = 2;
  }
  repeated Dim dim = 2;
  bool unknown_rank = 3;
}

message TensorProto {
  int32 dtype = 1;
  TensorShapeProto tensor_shape = 2;
  bytes tensor_content = 4;
  repeated int32 half_val = 13 [packed = true];
  repeated float float_val = 5 [packed = true];
  repeated double double_val = 6 [packed = true];
  repeated int32 int_val = 7 [packed = true];
  repeated int64 int64_val = 10 [packed = true];
}
`;

/** types.proto's DataType numbers of the dtypes a scalar can have. */
export const DT = { FLOAT: 1, DOUBLE: 2, INT32: 3, INT64: 9, BFLOAT16: 14, HALF: 19 } as const;

const root = protobuf.parse(EVENT_PROTO, { keepCase: true }).root;
const EventType = root.lookupType('adomix.tb.Event');

/** An int64 as protobufjs gives it (a number, or a Long when long.js is installed). */
type Int64 = number | { toString(): string };

export interface TensorShape {
  dim?: { size?: Int64 }[];
  unknown_rank?: boolean;
}

export interface Tensor {
  dtype?: number;
  tensor_shape?: TensorShape;
  tensor_content?: Uint8Array;
  half_val?: number[];
  float_val?: number[];
  double_val?: number[];
  int_val?: number[];
  int64_val?: Int64[];
}

export interface SummaryValue {
  tag?: string;
  metadata?: { plugin_data?: { plugin_name?: string } };
  simple_value?: number;
  image?: Uint8Array;
  histo?: Uint8Array;
  audio?: Uint8Array;
  tensor?: Tensor;
}

export interface TbEvent {
  wall_time?: number;
  step?: Int64;
  file_version?: string;
  summary?: { value?: SummaryValue[] };
}

/** Decodes one Event record (throws protobufjs's error on malformed bytes). */
export function decodeEvent(bytes: Uint8Array): TbEvent {
  return EventType.decode(bytes) as unknown as TbEvent;
}

/** An int64 field as a safe integer, or undefined when it does not fit one. */
export function int64ToNumber(v: Int64 | undefined): number | undefined {
  if (v === undefined) return 0;
  const n = typeof v === 'number' ? v : Number(v.toString());
  return Number.isSafeInteger(n) ? n : undefined;
}

/**
 * Does the message carry this field on the wire? protobufjs sets the fields it decodes as own
 * properties; absent ones read their default from the prototype (null for a message).
 */
export function has(message: object, field: string): boolean {
  return Object.prototype.hasOwnProperty.call(message, field);
}

/** Encodes an Event (for writing test fixtures): the inverse of decodeEvent. */
export function encodeEvent(event: TbEvent): Uint8Array {
  const error = EventType.verify(event);
  if (error) throw new Error(`not a valid Event: ${error}`);
  return EventType.encode(EventType.fromObject(event)).finish();
}
