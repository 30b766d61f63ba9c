// A STAND-IN resource provider, for tests only: the real command, docker and random plugins cannot
// be had on this project's machines (docs/development/engine.md), so the real engine is driven with
// this one installed under their names, in a test's own PULUMI_HOME, never in the toolchain's.
//
// It touches nothing: a create or update returns its inputs as outputs (secret inputs stay secret:
// it accepts secrets), plus the few outputs the program reads (a password's result, an image's
// digest), made up. Its diff is a model of the real providers' (docs/development/engine.md says
// which): any changed input is a change; which changes replace is per type. What it shows is the
// engine's own behaviour around providers (plan, step order, dependsOn, replacement order, state,
// secrets, targets, failures), never what a real provider does on a host.
//
// Its name and version come from where the CLI installed it (…/resource-NAME-vVERSION/pulumi-resource-NAME).
// STANDIN_LOG: a file each create, update and delete appends "start|end OP URN UNIXNANO" to;
// STANDIN_DELAY_MS: how long each of them takes; STANDIN_FAIL: a create or update of a resource
// whose URN contains it fails.
package main

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pulumi/pulumi/pkg/v3/resource/provider"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"
)

// The engine's sentinel for a value not known until the resource exists.
const unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"

type standin struct {
	pulumirpc.UnimplementedResourceProviderServer
	name, version string
	mu            sync.Mutex
}

func main() {
	exe, _ := os.Executable()
	name := strings.TrimPrefix(filepath.Base(exe), "pulumi-resource-")
	version := strings.TrimPrefix(filepath.Base(filepath.Dir(exe)), "resource-"+name+"-v")
	p := &standin{name: name, version: version}
	if err := provider.Main(name, func(*provider.HostClient) (pulumirpc.ResourceProviderServer, error) { return p, nil }); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func (p *standin) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: p.version}, nil
}

func (p *standin) CheckConfig(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	return &pulumirpc.CheckResponse{Inputs: req.GetNews()}, nil
}

func (p *standin) DiffConfig(context.Context, *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE}, nil
}

func (p *standin) Configure(context.Context, *pulumirpc.ConfigureRequest) (*pulumirpc.ConfigureResponse, error) {
	return &pulumirpc.ConfigureResponse{AcceptSecrets: true, AcceptResources: true, SupportsPreview: true}, nil
}

func (p *standin) Check(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	return &pulumirpc.CheckResponse{Inputs: req.GetNews()}, nil
}

// typeOf: the type token of a URN (urn:pulumi:STACK::PROJECT::PARENT$TYPE::NAME).
func typeOf(urn string) string {
	parts := strings.Split(urn, "::")
	if len(parts) < 4 {
		return ""
	}
	types := strings.Split(parts[2], "$")
	return types[len(types)-1]
}

// The model of which changes replace (the real providers say so in their Diff; these follow what
// the repository's docs record of them): a container or a password is replaced on any change, a
// container delete-first (pulumi-docker's DeleteBeforeReplace); a remote command on a change of its
// triggers; anything else is updated.
func replaces(typ, key string) bool {
	switch typ {
	case "docker:index/container:Container", "random:index/randomPassword:RandomPassword":
		return true
	case "command:remote:Command":
		return key == "triggers"
	}
	return false
}

func (p *standin) Diff(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	olds, news := req.GetOldInputs().GetFields(), req.GetNews().GetFields()
	typ := typeOf(req.GetUrn())
	var diffs, replacing []string
	seen := map[string]bool{}
	for _, fields := range []map[string]*structpb.Value{olds, news} {
		for k := range fields {
			if seen[k] {
				continue
			}
			seen[k] = true
			if !proto.Equal(olds[k], news[k]) {
				diffs = append(diffs, k)
				if replaces(typ, k) {
					replacing = append(replacing, k)
				}
			}
		}
	}
	if len(diffs) == 0 {
		return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE}, nil
	}
	return &pulumirpc.DiffResponse{
		Changes:             pulumirpc.DiffResponse_DIFF_SOME,
		Diffs:               diffs,
		Replaces:            replacing,
		DeleteBeforeReplace: typ == "docker:index/container:Container",
	}, nil
}

func (p *standin) step(op, urn string, run func() error) error {
	p.log("start", op, urn)
	if ms, err := strconv.Atoi(os.Getenv("STANDIN_DELAY_MS")); err == nil && ms > 0 {
		time.Sleep(time.Duration(ms) * time.Millisecond)
	}
	err := run()
	if err == nil && op != "delete" && os.Getenv("STANDIN_FAIL") != "" && strings.Contains(urn, os.Getenv("STANDIN_FAIL")) {
		err = fmt.Errorf("stand-in provider: %s of %s fails (STANDIN_FAIL)", op, urn)
	}
	p.log("end", op, urn)
	return err
}

func (p *standin) log(what, op, urn string) {
	file := os.Getenv("STANDIN_LOG")
	if file == "" {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	f, err := os.OpenFile(file, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return
	}
	defer f.Close()
	fmt.Fprintf(f, "%s %s %s %d\n", what, op, urn, time.Now().UnixNano())
}

func randomText(n int) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// outputs: the inputs, and what the program reads of each type, made up (unknown in a preview).
func outputs(typ string, inputs *structpb.Struct, preview bool) *structpb.Struct {
	out := &structpb.Struct{Fields: map[string]*structpb.Value{}}
	for k, v := range inputs.GetFields() {
		out.Fields[k] = v
	}
	made := func(v string) *structpb.Value {
		if preview {
			return structpb.NewStringValue(unknown)
		}
		return structpb.NewStringValue(v)
	}
	switch typ {
	case "random:index/randomPassword:RandomPassword":
		length := int(inputs.GetFields()["length"].GetNumberValue())
		if length <= 0 {
			length = 16
		}
		result := randomText(length)
		sum := sha256.Sum256([]byte(result))
		out.Fields["result"] = made(result)
		out.Fields["bcryptHash"] = made(hex.EncodeToString(sum[:]))
	case "docker:index/image:Image":
		name := inputs.GetFields()["imageName"].GetStringValue()
		data, _ := proto.Marshal(inputs)
		sum := sha256.Sum256(data)
		out.Fields["repoDigest"] = made(strings.SplitN(name, ":", 2)[0] + "@sha256:" + hex.EncodeToString(sum[:]))
	case "command:remote:Command":
		out.Fields["stdout"] = made("")
		out.Fields["stderr"] = made("")
	}
	return out
}

func (p *standin) Create(_ context.Context, req *pulumirpc.CreateRequest) (*pulumirpc.CreateResponse, error) {
	typ := typeOf(req.GetUrn())
	resp := &pulumirpc.CreateResponse{Id: "standin-" + randomText(12), Properties: outputs(typ, req.GetProperties(), req.GetPreview())}
	if req.GetPreview() {
		return resp, nil
	}
	return resp, p.step("create", req.GetUrn(), func() error { return nil })
}

func (p *standin) Update(_ context.Context, req *pulumirpc.UpdateRequest) (*pulumirpc.UpdateResponse, error) {
	typ := typeOf(req.GetUrn())
	resp := &pulumirpc.UpdateResponse{Properties: outputs(typ, req.GetNews(), req.GetPreview())}
	if req.GetPreview() {
		return resp, nil
	}
	return resp, p.step("update", req.GetUrn(), func() error { return nil })
}

func (p *standin) Delete(_ context.Context, req *pulumirpc.DeleteRequest) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, p.step("delete", req.GetUrn(), func() error { return nil })
}

// Read (refresh): what was recorded is what there is; the stand-in has no host to look at.
func (p *standin) Read(_ context.Context, req *pulumirpc.ReadRequest) (*pulumirpc.ReadResponse, error) {
	return &pulumirpc.ReadResponse{Id: req.GetId(), Properties: req.GetProperties(), Inputs: req.GetInputs()}, nil
}

func (p *standin) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}
