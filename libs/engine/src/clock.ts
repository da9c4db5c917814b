/** The one source of "now" for services; the domain and workflows receive time as arguments. */
export abstract class Clock {
  abstract now(): string;
}

export class SystemClock extends Clock {
  now(): string {
    return new Date().toISOString();
  }
}
