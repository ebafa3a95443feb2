#!/usr/bin/env node
// An Assistants-style API server in plain node:http, written from the contract (spec/openapi.yaml) alone.
//
// Everything is derived from the OpenAPI document loaded at start-up: the routes (paths x methods), the
// security requirements, the required parameters and their schemas, the request body's media type and
// schema (validated with Ajv, JSON Schema 2020-12, $refs resolved against the document), and the
// responses (their status codes, media types and schemas, filled from defaults and examples).
//
// JSON is JavaScript's: JSON.parse in, JSON.stringify out (numbers are IEEE-754 doubles), which RFC 8259
// allows. Limits of its own (RFC 8259, section 9): a body of at most 8 MiB, nesting at most 512 deep, and
// no number outside the range of a double (JSON.parse would make it Infinity, which JSON.stringify writes
// as null).
//
// Usage: ASSISTANTS_API_KEY=... node server.mjs [--port 0] [--host 127.0.0.1] [--spec PATH]
// Prints "listening on http://HOST:PORT" once it accepts connections.

import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

import Ajv2020 from "ajv/dist/2020.js";
import YAML from "yaml";

const MAX_BODY_BYTES = 8 * 1024 * 1024;
const MAX_DEPTH = 512;
const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
const DOC_ID = "https://spec.invalid/openapi.json";
const ERROR_TYPE = "invalid_request_error";
const hasOwn = (obj, key) => Object.prototype.hasOwnProperty.call(obj, key);
const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
// An own property, whatever its name ("__proto__" included).
const setOwn = (obj, key, value) =>
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });

// ---------------------------------------------------------------------------------------------------
// Command line

function parseArgs(argv) {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const args = { port: 0, host: "127.0.0.1", spec: path.resolve(here, "../../../spec/openapi.yaml") };
  for (let i = 0; i < argv.length; i += 1) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const value = () => (inline !== undefined ? inline : argv[++i]);
    if (flag === "--port") args.port = Number(value());
    else if (flag === "--host") args.host = value();
    else if (flag === "--spec") args.spec = path.resolve(value());
    else if (flag === "--help" || flag === "-h") {
      process.stdout.write("usage: node server.mjs [--port PORT] [--host HOST] [--spec PATH]\n");
      process.exit(0);
    } else fail(`unknown argument: ${argv[i]}`);
  }
  if (!Number.isInteger(args.port) || args.port < 0 || args.port > 65535) fail("--port must be 0..65535");
  return args;
}

function fail(message) {
  process.stderr.write(`server.mjs: ${message}\n`);
  process.exit(2);
}

// ---------------------------------------------------------------------------------------------------
// JSON pointers and $refs of the document

const escapeToken = (s) => String(s).replace(/~/g, "~0").replace(/\//g, "~1");
// A pointer as a URI fragment ("#/a/b"), each token percent-encoded ("{" and "}" of paths are not allowed).
const child = (ptr, ...tokens) => ptr + tokens.map((t) => `/${encodeURIComponent(escapeToken(t))}`).join("");

function getPointer(doc, ptr) {
  if (typeof ptr !== "string" || !ptr.startsWith("#")) {
    throw new Error(`only local $refs are supported, not ${JSON.stringify(ptr)}`);
  }
  let node = doc;
  const body = ptr.slice(1);
  if (body === "") return node;
  for (const raw of body.split("/").slice(1)) {
    const token = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
    if (node === null || typeof node !== "object" || !hasOwn(node, token)) {
      throw new Error(`$ref ${ptr} does not resolve`);
    }
    node = node[token];
  }
  return node;
}

class Spec {
  constructor(doc) {
    this.doc = doc;
    this.ajv = new Ajv2020({
      strict: false,
      allErrors: false,
      validateFormats: false,
      ownProperties: true,
    });
    // The whole document as one schema resource: every "#/components/..." resolves against it.
    this.ajv.addSchema(doc, DOC_ID, undefined, false);
    this.validators = new Map();
  }

  // Follows the $refs of an OpenAPI object (parameter, request body, response): {value, ptr}.
  deref(value, ptr) {
    const seen = new Set();
    while (isObject(value) && typeof value.$ref === "string") {
      if (seen.has(value.$ref)) throw new Error(`circular $ref ${value.$ref}`);
      seen.add(value.$ref);
      ptr = value.$ref;
      value = getPointer(this.doc, ptr);
    }
    return { value, ptr };
  }

  // The Ajv validator of the schema at this pointer of the document (compiled once).
  validator(ptr) {
    let validate = this.validators.get(ptr);
    if (!validate) {
      validate = this.ajv.compile({ $ref: DOC_ID + ptr });
      this.validators.set(ptr, validate);
    }
    return validate;
  }

  valid(ptr, value) {
    return this.validator(ptr)(value) === true;
  }

  // A schema with its $refs and allOf merged, for reading (not for validating): the keywords, plus for each
  // property the pointers of every schema that constrains it.
  view(ptr, depth = 0) {
    const schema = getPointer(this.doc, ptr);
    const out = { ptrs: [ptr], propertyPtrs: new Map(), required: new Set(), keywords: {} };
    if (!isObject(schema) || depth > 32) return out;
    const merge = (other) => {
      for (const [k, v] of Object.entries(other.keywords)) if (!hasOwn(out.keywords, k)) out.keywords[k] = v;
      for (const [name, ptrs] of other.propertyPtrs) {
        out.propertyPtrs.set(name, [...(out.propertyPtrs.get(name) ?? []), ...ptrs]);
      }
      for (const r of other.required) out.required.add(r);
      out.ptrs.push(...other.ptrs);
    };
    for (const [k, v] of Object.entries(schema)) {
      if (!["$ref", "allOf", "properties", "required"].includes(k)) out.keywords[k] = v;
    }
    if (isObject(schema.properties)) {
      for (const name of Object.keys(schema.properties)) {
        out.propertyPtrs.set(name, [child(ptr, "properties", name)]);
      }
    }
    if (Array.isArray(schema.required)) for (const r of schema.required) out.required.add(r);
    if (typeof schema.$ref === "string") merge(this.view(schema.$ref, depth + 1));
    if (Array.isArray(schema.allOf)) {
      schema.allOf.forEach((_, i) => merge(this.view(child(ptr, "allOf", i), depth + 1)));
    }
    return out;
  }
}

// ---------------------------------------------------------------------------------------------------
// Routes

function compileRoutes(spec) {
  const routes = [];
  const paths = spec.doc.paths ?? {};
  for (const [template, rawItem] of Object.entries(paths)) {
    if (!template.startsWith("/")) continue;
    const { value: item, ptr: itemPtr } = spec.deref(rawItem, child("#", "paths", template));
    if (!isObject(item)) continue;
    const names = [];
    const segments = template
      .split("/")
      .slice(1)
      .map((segment) => {
        if (!segment.includes("{")) return { literal: segment };
        const source = segment.replace(/\{([^}]*)\}|([^{]+)/g, (_, name, text) => {
          if (name !== undefined) {
            names.push(name);
            return "([^/]+)";
          }
          return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
        });
        return { regex: new RegExp(`^${source}$`, "u") };
      });
    const operations = new Map();
    for (const method of METHODS) {
      if (isObject(item[method])) {
        operations.set(method, compileOperation(spec, template, item, itemPtr, method));
      }
    }
    const literals = segments.filter((s) => s.literal !== undefined).length;
    routes.push({ template, segments, names, operations, literals, hasParams: names.length > 0 });
  }
  // Concrete paths before templated ones (OpenAPI 3.1, Paths Object).
  routes.sort((a, b) => b.literals - a.literals);
  return routes;
}

function compileOperation(spec, template, item, itemPtr, method) {
  const op = item[method];
  const opPtr = child(itemPtr, method);
  // Parameters: the path item's, overridden by the operation's (same name and location).
  const params = new Map();
  const addParams = (list, listPtr) => {
    if (!Array.isArray(list)) return;
    list.forEach((raw, i) => {
      const { value: p, ptr } = spec.deref(raw, child(listPtr, i));
      if (!isObject(p) || typeof p.name !== "string") return;
      const header = p.in === "header";
      // OpenAPI 3.1: header parameters named Accept, Content-Type or Authorization are ignored.
      if (header && ["accept", "content-type", "authorization"].includes(p.name.toLowerCase())) return;
      params.set(`${p.in}:${header ? p.name.toLowerCase() : p.name}`, { p, ptr });
    });
  };
  addParams(item.parameters, child(itemPtr, "parameters"));
  addParams(op.parameters, child(opPtr, "parameters"));
  const parameters = [...params.values()].map(({ p, ptr }) => {
    let schemaPtr = null;
    if (isObject(p.schema)) schemaPtr = child(ptr, "schema");
    else if (isObject(p.content)) {
      const media = Object.keys(p.content)[0];
      if (media && isObject(p.content[media]?.schema)) schemaPtr = child(ptr, "content", media, "schema");
    }
    if (schemaPtr) spec.validator(schemaPtr);
    return { name: p.name, in: p.in, required: p.required === true || p.in === "path", schemaPtr, json: !p.schema };
  });

  let body = null;
  if (op.requestBody !== undefined) {
    const { value: rb, ptr } = spec.deref(op.requestBody, child(opPtr, "requestBody"));
    const media = [];
    for (const [type, mt] of Object.entries(rb?.content ?? {})) {
      const schemaPtr = isObject(mt?.schema) ? child(ptr, "content", type, "schema") : null;
      if (schemaPtr) spec.validator(schemaPtr);
      media.push({ type: type.toLowerCase().split(";")[0].trim(), schemaPtr });
    }
    body = { required: rb?.required === true, media };
  }

  const responses = new Map();
  for (const [status, raw] of Object.entries(op.responses ?? {})) {
    const { value: r, ptr } = spec.deref(raw, child(opPtr, "responses", status));
    const content = r?.content ?? {};
    const type = Object.keys(content).find(isJsonMedia) ?? Object.keys(content)[0] ?? null;
    let schemaPtr = null;
    const examples = [];
    if (type) {
      const mt = content[type] ?? {};
      if (isObject(mt.schema)) schemaPtr = child(ptr, "content", type, "schema");
      if (hasOwn(mt, "example")) examples.push(mt.example);
      for (const [name, ex] of Object.entries(mt.examples ?? {})) {
        const { value } = spec.deref(ex, child(ptr, "content", type, "examples", name));
        if (isObject(value) && hasOwn(value, "value")) examples.push(value.value);
      }
    }
    if (schemaPtr) spec.validator(schemaPtr);
    // All examples (a stale one still lends the values of its fields); validExamples for whole bodies.
    const validExamples = examples.filter((ex) => !schemaPtr || spec.valid(schemaPtr, ex));
    responses.set(String(status).toUpperCase(), { status, type, schemaPtr, examples, validExamples });
  }

  const security = op.security ?? spec.doc.security ?? [];
  return { method, template, operationId: op.operationId, opPtr, parameters, body, responses, security };
}

function isJsonMedia(type) {
  const t = type.toLowerCase().split(";")[0].trim();
  return t === "application/json" || /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]*\+json$/.test(t) || t === "*/*";
}

function splitTarget(url) {
  let target = url ?? "";
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(target)) {
    const rest = target.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, "");
    target = rest.startsWith("/") ? rest : `/${rest}`;
  }
  const q = target.indexOf("?");
  return { rawPath: q < 0 ? target : target.slice(0, q), query: q < 0 ? "" : target.slice(q + 1) };
}

function decodeSegment(s) {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}

function matchRoute(routes, rawPath) {
  if (!rawPath.startsWith("/")) return null;
  const segments = rawPath.split("/").slice(1).map(decodeSegment);
  if (segments.includes(null)) return null;
  for (const route of routes) {
    if (route.segments.length !== segments.length) continue;
    const values = [];
    let ok = true;
    for (let i = 0; i < segments.length && ok; i += 1) {
      const s = route.segments[i];
      if (s.literal !== undefined) ok = s.literal === segments[i];
      else {
        const m = s.regex.exec(segments[i]);
        if (m) values.push(...m.slice(1));
        else ok = false;
      }
    }
    if (ok) return { route, pathParams: Object.fromEntries(route.names.map((n, i) => [n, values[i]])) };
  }
  return null;
}

// ---------------------------------------------------------------------------------------------------
// Responses

class HttpError extends Error {
  constructor(status, message, { param = null, code = null, type = ERROR_TYPE, headers = {}, op = null } = {}) {
    super(message);
    this.op = op; // the operation whose documented responses describe this error
    this.status = status;
    this.param = param;
    this.code = code;
    this.type = type;
    this.headers = headers;
  }
}

// The documented response of an operation for a status: its own, its range's (4XX), or the default.
function responseFor(op, status) {
  const code = String(status);
  return op?.responses.get(code) ?? op?.responses.get(`${code[0]}XX`) ?? op?.responses.get("DEFAULT") ?? null;
}

function errorContentType(op, status) {
  const type = responseFor(op, status)?.type;
  return type && isJsonMedia(type) && type !== "*/*" ? type : "application/json";
}

function send(res, status, payload, contentType = "application/json", headers = {}) {
  let text;
  try {
    text = payload === undefined ? "" : JSON.stringify(payload);
  } catch {
    // Only reachable for data nested deeper than the stack allows (the depth limit should prevent it).
    status = 400;
    text = JSON.stringify(errorBody(new HttpError(400, "The request is nested too deeply to be processed.")));
  }
  const buf = Buffer.from(text, "utf8");
  const head = { ...headers };
  if (payload !== undefined) head["Content-Type"] = contentType;
  head["Content-Length"] = String(buf.length);
  res.writeHead(status, head);
  res.end(buf);
}

function errorBody(err) {
  return { error: { message: err.message, type: err.type, param: err.param, code: err.code } };
}

// The error object, completed with whatever else the documented schema of that status requires (a spec
// that adds a required field to its errors still gets a valid body).
function errorPayload(spec, err) {
  const body = errorBody(err);
  const r = responseFor(err.op, err.status);
  if (r?.schemaPtr && !spec.valid(r.schemaPtr, body)) fillRequired(spec, r.schemaPtr, body);
  return body;
}

function sendError(spec, res, err) {
  send(res, err.status, errorPayload(spec, err), errorContentType(err.op, err.status), err.headers);
}

function fillRequired(spec, ptr, value, depth = 0) {
  if (!isObject(value) || depth > 16) return;
  const v = spec.view(ptr);
  for (const [name, ptrs] of v.propertyPtrs) {
    if (hasOwn(value, name)) fillRequired(spec, ptrs[0], value[name], depth + 1);
    else if (v.required.has(name)) setOwn(value, name, synthesize(spec, ptrs[0]));
  }
}

// ---------------------------------------------------------------------------------------------------
// Security

function sha256(buf) {
  return crypto.createHash("sha256").update(buf).digest();
}

function makeKeyCheck(key) {
  const expected = key === undefined ? null : sha256(Buffer.from(key, "utf8"));
  // Header values arrive as latin1 strings of the raw bytes: compare the bytes, in constant time (both sides
  // hashed, so that the lengths are equal and not revealed).
  return (candidate) => {
    if (expected === null || typeof candidate !== "string" || candidate === "") return false;
    return crypto.timingSafeEqual(sha256(Buffer.from(candidate, "latin1")), expected);
  };
}

function parseCookies(header) {
  const out = Object.create(null);
  for (const part of String(header ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0) {
      const name = part.slice(0, eq).trim();
      if (!hasOwn(out, name)) out[name] = part.slice(eq + 1).trim();
    }
  }
  return out;
}

function schemeSatisfied(spec, name, req, url, keyMatches) {
  const schemes = spec.doc.components?.securitySchemes;
  if (!isObject(schemes) || !hasOwn(schemes, name)) return false;
  const raw = schemes[name];
  const { value: scheme } = spec.deref(raw, child("#", "components", "securitySchemes", name));
  const type = String(scheme?.type ?? "").toLowerCase();
  const bearer = () => {
    const m = /^bearer +(\S+)$/i.exec(req.headers.authorization ?? "");
    return m !== null && keyMatches(m[1]);
  };
  if (type === "http") {
    if (String(scheme.scheme ?? "").toLowerCase() === "bearer") return bearer();
    return false; // basic, digest, ...: no credentials to check them against
  }
  if (type === "oauth2" || type === "openidconnect") return bearer();
  if (type === "apikey") {
    if (scheme.in === "header") return keyMatches(req.headers[String(scheme.name).toLowerCase()]);
    if (scheme.in === "query") return keyMatches(new URLSearchParams(url.query).get(scheme.name) ?? "");
    if (scheme.in === "cookie") return keyMatches(parseCookies(req.headers.cookie)[scheme.name]);
  }
  return false;
}

function authorize(spec, op, req, url, keyMatches) {
  if (!Array.isArray(op.security) || op.security.length === 0) return;
  const ok = op.security.some(
    (requirement) =>
      isObject(requirement) &&
      Object.keys(requirement).every((name) => schemeSatisfied(spec, name, req, url, keyMatches)),
  );
  if (!ok) {
    const sent = req.headers.authorization !== undefined;
    throw new HttpError(401, sent ? "Incorrect API key provided." : "You didn't provide an API key.", {
      code: sent ? "invalid_api_key" : null,
    });
  }
}

// ---------------------------------------------------------------------------------------------------
// Parameters

function schemaTypes(spec, ptr) {
  const t = spec.view(ptr).keywords.type;
  if (Array.isArray(t)) return t;
  return t === undefined ? ["string"] : [t];
}

// The candidate values of a parameter's string on the wire, one per type its schema allows.
function coercions(raw, types, location) {
  const out = [];
  for (const type of types) {
    if (type === "string") out.push(raw);
    else if ((type === "integer" || type === "number") && /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(raw)) {
      out.push(Number(raw));
    } else if (type === "boolean" && (raw === "true" || raw === "false")) out.push(raw === "true");
    else if (type === "null" && raw === "") out.push(null);
    else if (type === "array") out.push(location === "query" ? [raw] : raw.split(","));
  }
  return out;
}

function checkParameters(spec, op, req, url, pathParams) {
  const query = new URLSearchParams(url.query);
  let cookies = null;
  for (const p of op.parameters) {
    const own = (obj, key) => (hasOwn(obj, key) ? obj[key] : undefined);
    let raw;
    if (p.in === "header") raw = own(req.headers, p.name.toLowerCase());
    else if (p.in === "query") raw = query.has(p.name) ? query.getAll(p.name) : undefined;
    else if (p.in === "path") raw = own(pathParams, p.name);
    else if (p.in === "cookie") raw = own((cookies ??= parseCookies(req.headers.cookie)), p.name);
    const where = p.in === "header" ? "header" : `${p.in} parameter`;
    if (raw === undefined) {
      if (p.required) throw new HttpError(400, `Missing required ${where}: '${p.name}'.`, { param: p.name });
      continue;
    }
    if (!p.schemaPtr) continue;
    let candidates;
    if (p.json) {
      try {
        candidates = [JSON.parse(Array.isArray(raw) ? raw[0] : raw)];
      } catch {
        candidates = [];
      }
    } else if (Array.isArray(raw)) {
      const types = schemaTypes(spec, p.schemaPtr);
      candidates = types.includes("array") ? [raw] : coercions(raw[0], types, p.in);
    } else candidates = coercions(String(raw), schemaTypes(spec, p.schemaPtr), p.in);
    if (!candidates.some((c) => spec.valid(p.schemaPtr, c))) {
      throw new HttpError(400, `Invalid value for ${where} '${p.name}'.`, { param: p.name });
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// Request bodies

function readBody(req) {
  return new Promise((resolve) => {
    const declared = req.headers["content-length"];
    if (declared !== undefined && Number(declared) > MAX_BODY_BYTES) {
      resolve({ tooLarge: true });
      return;
    }
    const chunks = [];
    let size = 0;
    let done = false;
    const finish = (result) => {
      if (!done) {
        done = true;
        resolve(result);
      }
    };
    req.on("data", (chunk) => {
      if (done) return;
      size += chunk.length;
      if (size > MAX_BODY_BYTES) finish({ tooLarge: true });
      else chunks.push(chunk);
    });
    req.on("end", () => finish({ buf: Buffer.concat(chunks) }));
    req.on("error", () => finish({ aborted: true }));
    req.on("close", () => finish({ aborted: true }));
  });
}

function parseMediaType(header) {
  if (header === undefined) return null;
  const [type, ...params] = String(header).split(";");
  const out = { type: type.trim().toLowerCase(), params: {} };
  for (const p of params) {
    const eq = p.indexOf("=");
    if (eq > 0) out.params[p.slice(0, eq).trim().toLowerCase()] = p.slice(eq + 1).trim().replace(/^"(.*)"$/s, "$1");
  }
  return out;
}

function mediaMatches(range, type) {
  if (range === type || range === "*/*") return true;
  return range.endsWith("/*") && type.startsWith(range.slice(0, -1));
}

// Throws on a number JSON.parse could not represent (Infinity) or nesting deeper than MAX_DEPTH; iterative,
// so that no nesting overflows the stack here.
function checkLimits(value) {
  const stack = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop();
    if (typeof v === "number" && !Number.isFinite(v)) {
      throw new HttpError(400, "The request body has a number outside the range this server supports.");
    }
    if (v !== null && typeof v === "object") {
      if (depth >= MAX_DEPTH) {
        throw new HttpError(400, `The request body is nested deeper than ${MAX_DEPTH} levels.`);
      }
      for (const item of Array.isArray(v) ? v : Object.values(v)) {
        if (item !== null && (typeof item === "object" || typeof item === "number")) stack.push([item, depth + 1]);
      }
    }
  }
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

async function readRequestBody(spec, op, req) {
  const spec_ = op.body;
  if (spec_ === null) return { present: false };
  const encoding = String(req.headers["content-encoding"] ?? "identity").trim().toLowerCase();
  const result = await readBody(req);
  if (result.tooLarge) {
    throw new HttpError(413, `The request body is larger than ${MAX_BODY_BYTES} bytes.`, {
      headers: { Connection: "close" },
    });
  }
  if (result.aborted) throw new HttpError(400, "The request body was not received completely.");
  const buf = result.buf;
  if (buf.length === 0) {
    if (spec_.required) throw new HttpError(400, "The request needs a body.");
    return { present: false };
  }
  if (encoding !== "identity" && encoding !== "") {
    throw new HttpError(415, "This server does not accept a Content-Encoding.");
  }
  const mt = parseMediaType(req.headers["content-type"]);
  const media = mt && spec_.media.find((m) => mediaMatches(m.type, mt.type));
  if (!media) {
    const accepted = spec_.media.map((m) => m.type).join(", ");
    throw new HttpError(415, `Unsupported Content-Type: the body must be sent as ${accepted}.`);
  }
  if (!isJsonMedia(mt.type)) return { present: true, raw: buf };
  const charset = mt.params.charset?.toLowerCase();
  if (charset !== undefined && charset !== "utf-8" && charset !== "utf8") {
    throw new HttpError(415, "A JSON body must be encoded as UTF-8.");
  }
  let text;
  try {
    text = utf8.decode(buf);
  } catch {
    throw new HttpError(400, "The request body is not valid UTF-8.");
  }
  let value;
  try {
    value = JSON.parse(text);
  } catch {
    throw new HttpError(400, "We could not parse the JSON body of your request.");
  }
  checkLimits(value);
  if (media.schemaPtr) {
    const validate = spec.validator(media.schemaPtr);
    if (!validate(value)) throw bodyError(validate.errors ?? []);
  }
  return { present: true, value };
}

function paramName(instancePath, extra) {
  const tokens = instancePath === "" ? [] : instancePath.split("/").slice(1);
  if (extra !== undefined) tokens.push(escapeToken(extra));
  let out = "";
  for (const t of tokens.map((x) => x.replace(/~1/g, "/").replace(/~0/g, "~"))) {
    out += /^\d+$/.test(t) ? `[${t}]` : out === "" ? t : `.${t}`;
  }
  return out === "" ? null : out;
}

function bodyError(errors) {
  // The most specific error: the one deepest in the body.
  const e = [...errors].sort((a, b) => b.instancePath.length - a.instancePath.length)[0];
  if (!e) return new HttpError(400, "The request body is invalid.");
  if (e.keyword === "required") {
    const param = paramName(e.instancePath, e.params.missingProperty);
    return new HttpError(400, `Missing required parameter: '${param}'.`, { param });
  }
  if (e.keyword === "additionalProperties") {
    const param = paramName(e.instancePath, e.params.additionalProperty);
    return new HttpError(400, `Unrecognized request argument supplied: ${param}`, { param });
  }
  const param = paramName(e.instancePath);
  const where = param === null ? "the request body" : `'${param}'`;
  return new HttpError(400, `Invalid value for ${where}: ${e.message}.`, { param });
}

// ---------------------------------------------------------------------------------------------------
// Building response bodies from the schema

function firstSuccess(op) {
  const codes = [...op.responses.keys()].filter((s) => /^2(\d\d|XX)$/.test(s)).sort();
  const status = codes[0];
  if (status === undefined) return { status: 200, response: null };
  return { status: status.endsWith("XX") ? 200 : Number(status), response: op.responses.get(status) };
}

const clone = (v) => (v === undefined ? undefined : structuredClone(v));

// A value valid against the schema at ptr, from its default, const, examples, enum, or else its shape.
function synthesize(spec, ptr, depth = 0) {
  const v = spec.view(ptr);
  const k = v.keywords;
  const candidates = [];
  if (hasOwn(k, "default")) candidates.push(k.default);
  if (hasOwn(k, "const")) candidates.push(k.const);
  if (Array.isArray(k.examples) && k.examples.length > 0) candidates.push(k.examples[0]);
  if (hasOwn(k, "example")) candidates.push(k.example);
  if (Array.isArray(k.enum) && k.enum.length > 0) candidates.push(k.enum[0]);
  for (const c of candidates) if (spec.valid(ptr, c)) return clone(c);
  if (depth > 16) return null;
  for (const key of ["oneOf", "anyOf"]) {
    if (Array.isArray(k[key]) && k[key].length > 0) {
      for (const ptrOf of v.ptrs) {
        const schema = getPointer(spec.doc, ptrOf);
        if (!Array.isArray(schema?.[key])) continue;
        for (let i = 0; i < schema[key].length; i += 1) {
          const value = synthesize(spec, child(ptrOf, key, i), depth + 1);
          if (spec.valid(ptr, value)) return value;
        }
      }
    }
  }
  const types = Array.isArray(k.type) ? k.type : k.type !== undefined ? [k.type] : [];
  if (types.length === 0) types.push(v.propertyPtrs.size > 0 ? "object" : k.items ? "array" : "null");
  let fallback;
  for (const type of types) {
    let value;
    if (type === "object") {
      value = {};
      for (const name of v.required) {
        const ptrs = v.propertyPtrs.get(name);
        setOwn(value, name, ptrs ? synthesize(spec, ptrs[0], depth + 1) : null);
      }
    } else if (type === "array") {
      value = [];
      const n = Number.isInteger(k.minItems) ? k.minItems : 0;
      for (const ptrOf of v.ptrs) {
        const schema = getPointer(spec.doc, ptrOf);
        if (isObject(schema?.items)) {
          for (let i = 0; i < n; i += 1) value.push(synthesize(spec, child(ptrOf, "items"), depth + 1));
          break;
        }
      }
    } else if (type === "string") value = "x".repeat(Number.isInteger(k.minLength) ? k.minLength : 0);
    else if (type === "integer" || type === "number") {
      if (typeof k.minimum === "number") value = type === "integer" ? Math.ceil(k.minimum) : k.minimum;
      else if (typeof k.exclusiveMinimum === "number") value = Math.floor(k.exclusiveMinimum) + 1;
      else if (typeof k.maximum === "number") value = type === "integer" ? Math.floor(k.maximum) : k.maximum;
      else value = 0;
    } else if (type === "boolean") value = false;
    else if (type === "null") value = null;
    if (value !== undefined && spec.valid(ptr, value)) return value;
    fallback ??= value;
  }
  return fallback ?? null; // best effort: no value of its own satisfies the schema
}

function validAll(spec, ptrs, value) {
  return value !== undefined && ptrs.every((p) => spec.valid(p, value));
}

function uniqueId(spec, ptrs, examples) {
  const sample = examples.find((e) => typeof e === "string") ?? "";
  const prefix = /^[A-Za-z][A-Za-z0-9]*[_-]/.exec(sample)?.[0] ?? "";
  const candidates = [
    `${prefix}${crypto.randomBytes(12).toString("hex")}`,
    crypto.randomUUID(),
    crypto.randomBytes(12).toString("hex"),
  ];
  return candidates.find((c) => validAll(spec, ptrs, c)) ?? candidates[0];
}

// The object a create operation answers: the response schema's properties, each as the request sent it, or
// else as the request schema's default, or else (when required) the server's own value.
function buildCreated(spec, op, requestBody) {
  const { status, response } = firstSuccess(op);
  if (!response?.schemaPtr) return { status, body: undefined, type: response?.type };
  const resp = spec.view(response.schemaPtr);
  const reqMedia = op.body?.media.find((m) => m.schemaPtr && isJsonMedia(m.type));
  const req = reqMedia ? spec.view(reqMedia.schemaPtr) : null;
  const sent = isObject(requestBody) ? requestBody : {};
  const exampleValues = (name) => response.examples.filter(isObject).filter((e) => hasOwn(e, name)).map((e) => e[name]);
  const out = {};
  const set = (name, value) => setOwn(out, name, value);
  const now = Math.floor(Date.now() / 1000);
  for (const [name, ptrs] of resp.propertyPtrs) {
    if (hasOwn(sent, name)) {
      set(name, sent[name]);
      continue;
    }
    const reqPtrs = req?.propertyPtrs.get(name);
    if (reqPtrs) {
      const reqKeywords = spec.view(reqPtrs[0]).keywords;
      if (hasOwn(reqKeywords, "default") && validAll(spec, ptrs, reqKeywords.default)) {
        set(name, clone(reqKeywords.default));
        continue;
      }
    }
    if (!resp.required.has(name)) continue;
    const keywords = spec.view(ptrs[0]).keywords;
    const types = [keywords.type].flat();
    const propExamples = Array.isArray(keywords.examples) ? keywords.examples : [];
    if (name === "id" && types.includes("string")) {
      set(name, uniqueId(spec, ptrs, [...propExamples, ...exampleValues(name)]));
      continue;
    }
    const isTime = /(^|_)at$/.test(name) && (types.includes("integer") || types.includes("number"));
    if (isTime && (name === "created_at" || !hasOwn(keywords, "default")) && validAll(spec, ptrs, now)) {
      set(name, now);
      continue;
    }
    const candidates = [];
    if (hasOwn(keywords, "default")) candidates.push(keywords.default);
    if (hasOwn(keywords, "const")) candidates.push(keywords.const);
    candidates.push(...propExamples, ...exampleValues(name));
    if (Array.isArray(keywords.enum)) candidates.push(...keywords.enum);
    const chosen = candidates.find((c) => validAll(spec, ptrs, c));
    set(name, chosen !== undefined ? clone(chosen) : synthesize(spec, ptrs[0]));
  }
  if (!spec.valid(response.schemaPtr, out)) {
    process.stderr.write(`server.mjs: the ${op.operationId ?? op.template} response does not validate\n`);
  }
  return { status, body: out, type: response.type };
}

// The body of an operation this server does not implement: its first 2xx, from the examples or the schema.
function buildDefault(spec, op) {
  const { status, response } = firstSuccess(op);
  if (!response?.schemaPtr) return { status, body: clone(response?.examples[0]), type: response?.type };
  const body = response.validExamples.length > 0 ? clone(response.validExamples[0]) : synthesize(spec, response.schemaPtr);
  return { status, body, type: response.type };
}

const HANDLERS = {
  createAssistant: (spec, op, ctx) => buildCreated(spec, op, ctx.body),
};

// ---------------------------------------------------------------------------------------------------
// The server

function createServer(spec, routes, keyMatches) {
  // Errors outside any operation (unknown path, method) are described by the responses of the path's
  // operations, or else of the document's first operation.
  const anyOp = routes.flatMap((r) => [...r.operations.values()])[0] ?? null;
  const handle = async (req, res) => {
    const url = splitTarget(req.url);
    const match = matchRoute(routes, url.rawPath);
    if (!match) {
      throw new HttpError(404, "Unknown request URL: no operation of the API has this path.", {
        code: "unknown_url",
        op: anyOp,
      });
    }
    const { route, pathParams } = match;
    let method = String(req.method).toLowerCase();
    if (method === "head" && !route.operations.has("head") && route.operations.has("get")) method = "get";
    const op = route.operations.get(method);
    if (!op) {
      const allow = [...route.operations.keys()].map((m) => m.toUpperCase());
      if (route.operations.has("get") && !route.operations.has("head")) allow.push("HEAD");
      throw new HttpError(405, `Method not allowed: ${route.template} accepts ${allow.join(", ")}.`, {
        headers: { Allow: allow.join(", ") },
        op: route.operations.values().next().value ?? anyOp,
      });
    }
    try {
      authorize(spec, op, req, url, keyMatches);
      checkParameters(spec, op, req, url, pathParams);
      const body = await readRequestBody(spec, op, req);
      const handler = op.operationId !== undefined && hasOwn(HANDLERS, op.operationId) ? HANDLERS[op.operationId] : null;
      let result;
      if (handler) result = handler(spec, op, { body: body.value, pathParams, req });
      else if (route.hasParams) {
        throw new HttpError(404, `No such resource: ${route.template}.`, { code: "not_found" });
      } else result = buildDefault(spec, op);
      send(res, result.status, result.body, result.type && result.type !== "*/*" ? result.type : "application/json");
    } catch (err) {
      if (err instanceof HttpError) err.op ??= op;
      throw err;
    }
  };

  const server = http.createServer({ requestTimeout: 60_000, headersTimeout: 30_000 }, (req, res) => {
    handle(req, res).catch((err) => {
      if (!(err instanceof HttpError)) {
        process.stderr.write(`server.mjs: unexpected error: ${err?.stack ?? err}\n`);
        err = new HttpError(400, "The request could not be processed.", { op: anyOp });
      }
      if (res.headersSent) res.destroy();
      else sendError(spec, res, err);
    });
  });

  // Requests Node's parser refuses (binary garbage, bad header bytes, oversized headers): still an error
  // object, never a 5xx.
  server.on("clientError", (err, socket) => {
    if (err.code === "ECONNRESET" || !socket.writable || socket._httpMessage?.headersSent) {
      socket.destroy();
      return;
    }
    const status =
      err.code === "HPE_HEADER_OVERFLOW" ? 431 : err.code === "ERR_HTTP_REQUEST_TIMEOUT" ? 408 : 400;
    const message = status === 431 ? "The request headers are too large." : "The request is not valid HTTP.";
    const body = JSON.stringify(errorPayload(spec, new HttpError(status, message, { op: anyOp })));
    socket.end(
      `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: ${errorContentType(anyOp, status)}\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
  return server;
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  let spec;
  let routes;
  try {
    const doc = YAML.parse(fs.readFileSync(args.spec, "utf8"));
    if (!isObject(doc) || !isObject(doc.paths)) throw new Error("not an OpenAPI document with paths");
    spec = new Spec(doc);
    routes = compileRoutes(spec);
  } catch (err) {
    fail(`cannot use the spec ${args.spec}: ${err.message}`);
  }
  const key = process.env.ASSISTANTS_API_KEY;
  const secured = routes.some((r) => [...r.operations.values()].some((op) => op.security.length > 0));
  if (secured && !key) fail("set ASSISTANTS_API_KEY to the API key the server accepts");
  const server = createServer(spec, routes, makeKeyCheck(key));
  process.on("uncaughtException", (err) => process.stderr.write(`server.mjs: uncaught: ${err?.stack ?? err}\n`));
  const stop = () => server.close(() => process.exit(0)) && setTimeout(() => process.exit(0), 2000).unref();
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  server.on("error", (err) => fail(`cannot listen on ${args.host}:${args.port}: ${err.message}`));
  server.listen(args.port, args.host, () => {
    const { port } = server.address();
    const host = args.host.includes(":") ? `[${args.host}]` : args.host;
    process.stdout.write(`listening on http://${host}:${port}\n`);
  });
}

main();
