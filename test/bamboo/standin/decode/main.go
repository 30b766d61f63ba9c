package main

import (
	"encoding/json"
	"io"
	"os"

	"standin/marathon"
)

// Reads a /v2/apps answer on stdin, prints each app's service ports as Bamboo would see them.
func main() {
	data, err := io.ReadAll(os.Stdin)
	if err != nil {
		panic(err)
	}
	ports, err := marathon.ServicePorts(data)
	if err != nil {
		os.Stderr.WriteString(err.Error() + "\n")
		os.Exit(1)
	}
	if err := json.NewEncoder(os.Stdout).Encode(ports); err != nil {
		panic(err)
	}
}
