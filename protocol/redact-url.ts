// Credentials written into a URL ('https://user:s3cret@host', 'nats://u:p@h:4222') never reach an error
// message or a log line: the user-info part is replaced, whatever the scheme and even in a URL that does not
// parse (an invalid URL is exactly what an error message echoes).
//   redactUrlCredentials('bad value "ftp://u:p@host/x"') === 'bad value "ftp://***@host/x"'

const USER_INFO = /([a-z][a-z0-9+.-]*:\/\/)[^\s/?#"'@]*@/gi;

export function redactUrlCredentials(text: string): string {
  return text.replace(USER_INFO, '$1***@');
}
