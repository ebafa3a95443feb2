// A client written with the official openai Node SDK (4.36.0, the last release that sends
// `OpenAI-Beta: assistants=v1`), as a team's own code would use it: it finds the server where the SDK
// looks without being told (OPENAI_BASE_URL, OPENAI_API_KEY). With WHOLE_RESOURCE=1 it also retrieves,
// updates, lists and deletes what it created, then asks for it once more (a 404, which the SDK throws).
import OpenAI from "openai";

const client = new OpenAI({ maxRetries: 2 });
const assistant = await client.beta.assistants.create({
  model: "gpt-4-turbo",
  name: "Math Tutor",
  instructions: "You are a personal math tutor.",
  tools: [{ type: "code_interpreter" }, { type: "function", function: { name: "get_weather" } }],
  metadata: { team: "tutoring" },
});
if (process.env.WHOLE_RESOURCE === "1") {
  await client.beta.assistants.retrieve(assistant.id);
  await client.beta.assistants.update(assistant.id, { name: "Math Tutor 2" });
  await client.beta.assistants.list({ limit: 5 });
  await client.beta.assistants.del(assistant.id);
  try {
    await client.beta.assistants.retrieve(assistant.id);
  } catch (error) {
    if (!(error instanceof OpenAI.NotFoundError)) throw error;
  }
}
console.log(`created ${assistant.id}`);
