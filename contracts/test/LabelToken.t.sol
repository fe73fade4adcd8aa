// SPDX-License-Identifier: GPL-3.0-or-later
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";

import {LabelToken} from "../src/LabelToken.sol";
import {Assertions} from "./utils/Assertions.sol";
import {vm} from "./utils/Vm.sol";

/// @title Tests of LabelToken: metadata, transfers, burning and EIP-2612 permit
contract LabelTokenTest is Assertions {
    bytes32 private constant PERMIT_TYPEHASH =
        keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)");
    bytes32 private constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");

    uint256 private constant SUPPLY = 1_000_000 ether;

    // Keys of anvil's first two development accounts ("test test ... junk"),
    // so a failing case can be replayed against the local network by hand.
    uint256 private constant OWNER_KEY = 0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80;
    uint256 private constant OTHER_KEY = 0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d;

    LabelToken private token;
    address private owner;
    address private spender = address(0xA11CE);
    address private recipient = address(0xB0B);

    function setUp() public {
        owner = vm.addr(OWNER_KEY);
        token = new LabelToken(owner, SUPPLY);
    }

    function testMetadata() public view {
        assertEq(token.name(), "Tally Label Token", "name");
        assertEq(token.symbol(), "LABEL", "symbol");
        assertEq(token.decimals(), 18, "decimals");
    }

    function testInitialSupplyGoesToHolder() public view {
        assertEq(owner, 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266, "anvil account 0");
        assertEq(token.totalSupply(), SUPPLY, "totalSupply");
        assertEq(token.balanceOf(owner), SUPPLY, "holder balance");
        assertEq(token.nonces(owner), 0, "initial nonce");
    }

    function testConstructorRejectsZeroHolder() public {
        vm.expectRevert(abi.encodeWithSelector(IERC20Errors.ERC20InvalidReceiver.selector, address(0)));
        new LabelToken(address(0), SUPPLY);
    }

    function testDomainSeparator() public view {
        bytes32 expected = keccak256(
            abi.encode(DOMAIN_TYPEHASH, keccak256("Tally Label Token"), keccak256("1"), block.chainid, address(token))
        );
        assertEq(token.DOMAIN_SEPARATOR(), expected, "DOMAIN_SEPARATOR");
    }

    function testTransfer() public {
        vm.expectEmit(true, true, false, true);
        emit IERC20.Transfer(owner, recipient, 250 ether);
        vm.prank(owner);
        assertTrue(token.transfer(recipient, 250 ether), "transfer returns true");

        assertEq(token.balanceOf(owner), SUPPLY - 250 ether, "sender balance");
        assertEq(token.balanceOf(recipient), 250 ether, "recipient balance");
        assertEq(token.totalSupply(), SUPPLY, "totalSupply unchanged");
    }

    function testTransferMoreThanBalanceReverts() public {
        vm.expectRevert(abi.encodeWithSelector(IERC20Errors.ERC20InsufficientBalance.selector, recipient, 0, 1));
        vm.prank(recipient);
        token.transfer(owner, 1);
    }

    function testBurnReducesSupply() public {
        vm.prank(owner);
        token.burn(100 ether);

        assertEq(token.balanceOf(owner), SUPPLY - 100 ether, "holder balance");
        assertEq(token.totalSupply(), SUPPLY - 100 ether, "totalSupply");
    }

    function testBurnFromSpendsAllowance() public {
        vm.prank(owner);
        token.approve(spender, 40 ether);

        vm.prank(spender);
        token.burnFrom(owner, 30 ether);

        assertEq(token.allowance(owner, spender), 10 ether, "allowance left");
        assertEq(token.balanceOf(owner), SUPPLY - 30 ether, "holder balance");
        assertEq(token.totalSupply(), SUPPLY - 30 ether, "totalSupply");
    }

    function testBurnFromBeyondAllowanceReverts() public {
        vm.prank(owner);
        token.approve(spender, 5 ether);

        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientAllowance.selector, spender, 5 ether, 6 ether)
        );
        vm.prank(spender);
        token.burnFrom(owner, 6 ether);
    }

    function testPermit() public {
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = signPermit(OWNER_KEY, owner, spender, 70 ether, 0, deadline);

        // Anyone may submit the signature: the relayer here is neither party.
        vm.prank(recipient);
        token.permit(owner, spender, 70 ether, deadline, v, r, s);

        assertEq(token.allowance(owner, spender), 70 ether, "allowance");
        assertEq(token.nonces(owner), 1, "nonce consumed");

        vm.prank(spender);
        token.transferFrom(owner, recipient, 70 ether);
        assertEq(token.balanceOf(recipient), 70 ether, "recipient balance");
    }

    function testPermitExpiredReverts() public {
        vm.warp(1_800_000_000);
        uint256 deadline = block.timestamp - 1;
        (uint8 v, bytes32 r, bytes32 s) = signPermit(OWNER_KEY, owner, spender, 1 ether, 0, deadline);

        vm.expectRevert(abi.encodeWithSelector(ERC20Permit.ERC2612ExpiredSignature.selector, deadline));
        token.permit(owner, spender, 1 ether, deadline, v, r, s);
    }

    function testPermitWrongSignerReverts() public {
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = signPermit(OTHER_KEY, owner, spender, 1 ether, 0, deadline);

        vm.expectRevert(abi.encodeWithSelector(ERC20Permit.ERC2612InvalidSigner.selector, vm.addr(OTHER_KEY), owner));
        token.permit(owner, spender, 1 ether, deadline, v, r, s);
        assertEq(token.allowance(owner, spender), 0, "no allowance");
    }

    function testPermitReplayReverts() public {
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = signPermit(OWNER_KEY, owner, spender, 3 ether, 0, deadline);
        token.permit(owner, spender, 3 ether, deadline, v, r, s);

        // The second time the contract hashes nonce 1, so the same signature
        // recovers to some unrelated address.
        bytes32 replayDigest = permitDigest(owner, spender, 3 ether, 1, deadline);
        address recovered = ecrecover(replayDigest, v, r, s);
        vm.expectRevert(abi.encodeWithSelector(ERC20Permit.ERC2612InvalidSigner.selector, recovered, owner));
        token.permit(owner, spender, 3 ether, deadline, v, r, s);
        assertEq(token.nonces(owner), 1, "nonce used once");
    }

    function testFuzzTransfer(address to, uint256 amount) public {
        vm.assume(to != address(0) && to != owner);
        amount = amount % (SUPPLY + 1);

        vm.prank(owner);
        token.transfer(to, amount);

        assertEq(token.balanceOf(owner), SUPPLY - amount, "sender balance");
        assertEq(token.balanceOf(to), amount, "recipient balance");
        assertEq(token.totalSupply(), SUPPLY, "totalSupply unchanged");
    }

    function testFuzzTransferBeyondBalanceReverts(uint256 amount) public {
        vm.assume(amount > SUPPLY);

        vm.expectRevert(abi.encodeWithSelector(IERC20Errors.ERC20InsufficientBalance.selector, owner, SUPPLY, amount));
        vm.prank(owner);
        token.transfer(recipient, amount);
    }

    function permitDigest(address holder, address to, uint256 value, uint256 nonce, uint256 deadline)
        private
        view
        returns (bytes32)
    {
        bytes32 structHash = keccak256(abi.encode(PERMIT_TYPEHASH, holder, to, value, nonce, deadline));
        return keccak256(abi.encodePacked("\x19\x01", token.DOMAIN_SEPARATOR(), structHash));
    }

    function signPermit(uint256 key, address holder, address to, uint256 value, uint256 nonce, uint256 deadline)
        private
        view
        returns (uint8 v, bytes32 r, bytes32 s)
    {
        return vm.sign(key, permitDigest(holder, to, value, nonce, deadline));
    }
}
