// SPDX-License-Identifier: GPL-3.0-or-later
pragma solidity ^0.8.24;

import {Deploy} from "../script/Deploy.s.sol";
import {LabelMarket} from "../src/LabelMarket.sol";
import {LabelToken} from "../src/LabelToken.sol";
import {PriceFeed} from "../src/PriceFeed.sol";
import {Assertions} from "./utils/Assertions.sol";
import {vm} from "./utils/Vm.sol";

/// @title The deployment script, run in-process with its defaults
contract DeployTest is Assertions {
    function testDeployFundsDemoAccounts() public {
        address deployer = 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266;
        vm.deal(deployer, 1000 ether);
        (LabelToken token, LabelMarket market, PriceFeed tokenFeed, PriceFeed ethFeed) = new Deploy().run();
        assertEq(address(market.token()), address(token), "market's token");
        assertEq(token.totalSupply(), 1_000_000_000 ether, "supply");
        // Anvil's accounts 1 and 4 of "test test ... junk".
        assertEq(token.balanceOf(0x70997970C51812dc3A010C7d01b50e0d17dc79C8), 10_000 ether, "demo 1");
        assertEq(token.balanceOf(0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65), 10_000 ether, "demo 4");
        assertEq(0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65.balance, 100 ether, "demo 4 ETH");
        assertEq(token.balanceOf(deployer), 1_000_000_000 ether - 40_000 ether, "deployer keeps the rest");
        assertEq(tokenFeed.description(), "LABEL / USD", "token feed");
        assertEq(ethFeed.description(), "ETH / USD", "ETH feed");
        assertEq(tokenFeed.owner(), deployer, "feed owner");
    }
}
