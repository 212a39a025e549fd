using NpsGrpc.Server.Hosting;

var app = NpsServerApp.Build(args);
await app.RunAsync();
