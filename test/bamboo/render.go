// Renders a Bamboo HAProxy template as Bamboo does: Go's text/template over Bamboo's template
// data (.Apps, .Services) with its helpers hasKey and getService. The types carry the fields of
// Bamboo 0.2.21's marathon.App, marathon.Task and service.Service.
//
//	render TEMPLATE < DATA.json > haproxy.cfg
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"text/template"
)

type Task struct {
	Id    string
	Host  string
	Port  int
	Ports []int
	Alive bool
	State string
	Ready bool
}

type App struct {
	Id                   string
	MesosDnsId           string
	EscapedId            string
	HealthCheckPath      string
	HealthCheckProtocol  string
	HealthCheckPortIndex int
	Tasks                []Task
	ServicePort          int
	ServicePorts         []int
	Env                  map[string]string
	Labels               map[string]string
	SplitId              []string
}

type Service struct {
	Id     string
	Acl    string
	Config map[string]string
}

type templateData struct {
	Apps     []App
	Services map[string]Service
}

func hasKey(data map[string]Service, appId string) bool {
	_, ok := data[appId]
	return ok
}

func getService(data map[string]Service, appId string) Service {
	return data[appId]
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: render TEMPLATE < DATA.json")
		os.Exit(2)
	}
	text, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var data templateData
	if err := json.NewDecoder(os.Stdin).Decode(&data); err != nil {
		fmt.Fprintln(os.Stderr, "data:", err)
		os.Exit(1)
	}
	funcs := template.FuncMap{"hasKey": hasKey, "getService": getService}
	t, err := template.New("haproxy").Funcs(funcs).Parse(string(text))
	if err != nil {
		fmt.Fprintln(os.Stderr, "template:", err)
		os.Exit(1)
	}
	if err := t.Execute(os.Stdout, data); err != nil {
		fmt.Fprintln(os.Stderr, "execute:", err)
		os.Exit(1)
	}
}
